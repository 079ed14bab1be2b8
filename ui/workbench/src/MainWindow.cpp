// MainWindow: layout, widget wiring and settings. Menus and file actions live in
// MainWindowActions.cpp, jobs and results in MainWindowRuns.cpp.
#include "studio/ui/MainWindow.h"

#include <QCloseEvent>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "studio/prompt/PromptTemplates.h"
#include "studio/ui/AuditPanel.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/ErrorBanner.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/GenerationWorker.h"
#include "studio/ui/HistoryStrip.h"
#include "studio/ui/JobStatusBar.h"
#include "studio/ui/LogPanel.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/PixelReadout.h"
#include "studio/ui/XmlPromptEditor.h"

namespace studio::ui {

MainWindow::MainWindow(WorkbenchOptions options, QWidget* parent)
    : QMainWindow(parent), m_options(std::move(options)), m_worker(m_options.worker) {
    m_settings = m_options.settingsPath.isEmpty()
                     ? std::make_unique<QSettings>()
                     : std::make_unique<QSettings>(m_options.settingsPath, QSettings::IniFormat);
    setWindowTitle(tr("Precision Studio"));
    setAcceptDrops(true);
    buildUi();
    buildActions();
    connectWidgets();
    connectWorker();
    restoreSettings();
    m_restored = m_prompt->restoreAutosave();
}

MainWindow::~MainWindow() = default;

void MainWindow::loadExamplePrompt() {
    // The bundled demo model only knows its own vocabulary: give it a prompt it can draw.
    const QString demo = m_options.defaultModelDir;
    const bool onDemo = !demo.isEmpty() && QFileInfo(m_controls->modelDir()).canonicalFilePath() == QFileInfo(demo).canonicalFilePath();
    const std::string wanted = onDemo ? "Demo model: two characters" : "Two characters";
    const auto names = prompt_template_names();
    const std::string name = std::find(names.begin(), names.end(), wanted) != names.end() ? wanted : names.front();
    m_prompt->setPrompt(QString::fromStdString(prompt_template(name)));
    m_prompt->editor()->validateNow();
}

void MainWindow::buildUi() {
    m_prompt = new PromptPanel(m_options.dataDir);
    m_prompt->setTagDatabase(m_options.tags);
    m_prompt->setTokenCounter(m_options.tokenCounter);
    m_prompt->setMinimumWidth(280);

    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->setChildrenCollapsible(false);
    m_mainSplitter->addWidget(m_prompt);
    m_mainSplitter->addWidget(buildCentre());
    m_mainSplitter->addWidget(buildRightPanel());
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setStretchFactor(2, 0);
    m_mainSplitter->setSizes({330, 620, 330});

    m_log = new LogPanel;
    m_log->setMinimumHeight(40);  // three lines by default; the splitter lets it grow
    m_verticalSplitter = new QSplitter(Qt::Vertical);
    m_verticalSplitter->setObjectName(QStringLiteral("verticalSplitter"));
    m_verticalSplitter->addWidget(m_mainSplitter);
    m_verticalSplitter->addWidget(m_log);
    m_verticalSplitter->setStretchFactor(0, 1);
    m_verticalSplitter->setStretchFactor(1, 0);
    m_verticalSplitter->setCollapsible(0, false);
    m_verticalSplitter->setSizes({660, 60});

    m_banner = new ErrorBanner;
    m_status = new JobStatusBar;

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 4, 6, 2);
    layout->setSpacing(4);
    layout->addWidget(m_banner);
    layout->addWidget(m_verticalSplitter, 1);
    layout->addWidget(m_status);
    setCentralWidget(central);
}

QWidget* MainWindow::buildCentre() {
    m_compare = new CompareView;
    m_history = new HistoryStrip;
    // The per-layer audit wants the width of the images, not the side panel: it shares their place.
    m_audit = new AuditPanel;
    m_centreTabs = new QTabWidget;
    m_centreTabs->setDocumentMode(true);
    m_centreTabs->addTab(m_compare, tr("Images"));
    m_centreTabs->addTab(m_audit, tr("Precision audit"));
    m_centreSplitter = new QSplitter(Qt::Vertical);
    m_centreSplitter->setObjectName(QStringLiteral("centreSplitter"));
    m_centreSplitter->addWidget(m_centreTabs);
    m_centreSplitter->addWidget(m_history);
    m_centreSplitter->setCollapsible(0, false);
    m_centreSplitter->setStretchFactor(0, 1);
    m_centreSplitter->setStretchFactor(1, 0);
    m_centreSplitter->setSizes({480, 150});
    return m_centreSplitter;
}

// Right column: the job's settings and the A/B numbers share one tab widget; the pixel readout
// and the run buttons sit below it so they stay in view on either tab.
QWidget* MainWindow::buildRightPanel() {
    m_controls = new GenerationControls;
    m_controls->setCudaAvailable(m_options.cudaAvailable);
    m_precision = new PrecisionPanel(m_settings.get());
    m_precision->setCudaAvailable(m_options.cudaAvailable);
    m_precision->setRunButtonsVisible(false);
    m_metrics = new MetricsPanel;
    m_readout = new PixelReadout;

    auto* generation = new QGroupBox(tr("Generation"));
    auto* generationLayout = new QVBoxLayout(generation);
    generationLayout->addWidget(m_controls);
    auto* precision = new QGroupBox(tr("Precision"));
    auto* precisionLayout = new QVBoxLayout(precision);
    precisionLayout->addWidget(m_precision);
    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(2, 2, 2, 2);
    contentLayout->addWidget(generation);
    contentLayout->addWidget(precision);
    contentLayout->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);
    scroll->setMinimumWidth(content->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());

    m_sideTabs = new QTabWidget;
    m_sideTabs->setDocumentMode(true);
    m_sideTabs->addTab(scroll, tr("Generate"));
    m_sideTabs->addTab(m_metrics, tr("Metrics"));
    m_sweep = new SweepPanel;
    m_sweep->setRunner(m_options.sweepRunner);
    m_sideTabs->addTab(m_sweep, tr("Sweep"));
    connect(m_sweep, &SweepPanel::compareRequested, this, &MainWindow::showSweepPair);

    auto* runA = new QPushButton(tr("Run A"));
    auto* runB = new QPushButton(tr("Run B"));
    auto* compare = new QPushButton(tr("Compare A / B"));
    runA->setToolTip(m_precision->runAButton()->toolTip());
    runB->setToolTip(m_precision->runBButton()->toolTip());
    compare->setToolTip(m_precision->compareButton()->toolTip());
    QFont bold = compare->font();
    bold.setBold(true);
    compare->setFont(bold);
    connect(runA, &QPushButton::clicked, m_precision, &PrecisionPanel::runARequested);
    connect(runB, &QPushButton::clicked, m_precision, &PrecisionPanel::runBRequested);
    connect(compare, &QPushButton::clicked, m_precision, &PrecisionPanel::compareRequested);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(runA);
    buttons->addWidget(runB);
    buttons->addWidget(compare, 1);

    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_sideTabs, 1);
    layout->addWidget(m_readout);
    layout->addLayout(buttons);
    return panel;
}

void MainWindow::connectWidgets() {
    connect(m_controls, &GenerationControls::modelDirChanged, m_prompt, &PromptPanel::setModelDir);
    connect(m_precision, &PrecisionPanel::runARequested, this, [this] { runColumn(PrecisionPanel::A); });
    connect(m_precision, &PrecisionPanel::runBRequested, this, [this] { runColumn(PrecisionPanel::B); });
    connect(m_precision, &PrecisionPanel::compareRequested, this, [this] { compare(); });
    connect(m_status, &JobStatusBar::cancelRequested, this, &MainWindow::cancelJobs);

    connect(m_compare, &CompareView::hoveredPixel, m_readout, &PixelReadout::setPixel);
    connect(m_compare, &CompareView::visibleRegionChanged, m_metrics, &MetricsPanel::setVisibleRegion);
    connect(m_compare, &CompareView::roiChanged, m_metrics, &MetricsPanel::setRoi);
    connect(m_history, &HistoryStrip::showAsARequested, this, [this](const QString& id) { showRun(id, PrecisionPanel::A); });
    connect(m_history, &HistoryStrip::showAsBRequested, this, [this](const QString& id) { showRun(id, PrecisionPanel::B); });
    connect(m_history, &HistoryStrip::removeRequested, this, [this](const QString& id) {
        if (id == m_shownA || id == m_shownB) return;  // keep what is on screen
        m_runs.erase(id);
        m_runOrder.removeAll(id);
        m_history->removeRun(id);
    });
    connect(m_prompt->autosave(), &PromptAutosave::saveFailed, m_log,
            [this](const QString& message) { m_log->appendMessage(static_cast<int>(LogLevel::Warn), message); });
}

void MainWindow::restoreSettings() {
    QSettings& s = *m_settings;
    if (!restoreGeometry(s.value("window/geometry").toByteArray())) resize(1280, 800);
    m_mainSplitter->restoreState(s.value("window/mainSplitter").toByteArray());
    m_centreSplitter->restoreState(s.value("window/centreSplitter").toByteArray());
    m_verticalSplitter->restoreState(s.value("window/verticalSplitter").toByteArray());
    m_prompt->splitter()->restoreState(s.value("window/promptSplitter").toByteArray());
    m_sideTabs->setCurrentIndex(s.value("window/sideTab", 0).toInt());

    m_controls->setDefaultModelDir(m_options.defaultModelDir);
    m_controls->restoreSettings(s);
    m_prompt->setModelDir(m_controls->modelDir());
    m_precision->setConfig(PrecisionPanel::A, m_options.defaultPrecisionA);
    m_precision->restoreSettings(s);

    const int mode = s.value("view/compareMode", static_cast<int>(CompareView::Mode::SideBySide)).toInt();
    if (mode >= 0 && mode <= static_cast<int>(CompareView::Mode::Difference))
        m_compare->setMode(static_cast<CompareView::Mode>(mode));
    m_compare->setDifferenceGain(s.value("view/differenceGain", m_compare->differenceGain()).toDouble());
    m_metrics->setThreshold(s.value("view/metricsThreshold", m_metrics->threshold()).toDouble());
}

void MainWindow::saveSettings() {
    QSettings& s = *m_settings;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/mainSplitter", m_mainSplitter->saveState());
    s.setValue("window/centreSplitter", m_centreSplitter->saveState());
    s.setValue("window/verticalSplitter", m_verticalSplitter->saveState());
    s.setValue("window/promptSplitter", m_prompt->splitter()->saveState());
    s.setValue("window/sideTab", m_sideTabs->currentIndex());
    m_controls->saveSettings(s);
    m_precision->saveSettings(s);
    s.setValue("view/compareMode", static_cast<int>(m_compare->mode()));
    s.setValue("view/differenceGain", m_compare->differenceGain());
    s.setValue("view/metricsThreshold", m_metrics->threshold());
    s.sync();
    m_prompt->autosave()->schedule(m_prompt->state());
    m_prompt->autosave()->flush();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    if (m_worker) m_worker->cancelAll();
    event->accept();
}

}  // namespace studio::ui
