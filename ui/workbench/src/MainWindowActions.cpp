// MainWindow: menus, keyboard shortcuts, export, opening and dropping images.
#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>

#include "studio/Provenance.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/ErrorBanner.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/GenerationWorker.h"
#include "studio/ui/LogPanel.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetadataDialog.h"
#include "studio/ui/ShortcutsDialog.h"
#include "studio/ui/XmlPromptEditor.h"

namespace studio::ui {

namespace {
bool isImageFile(const QString& path) {
    static const QStringList suffixes{"png", "tif", "tiff", "exr", "jpg", "jpeg"};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}
}  // namespace

QAction* MainWindow::addAction(QMenu* menu, const QString& name, const QString& text, const QKeySequence& key,
                               std::function<void()> slot) {
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    if (!key.isEmpty()) a->setShortcut(key);
    connect(a, &QAction::triggered, this, [slot = std::move(slot)] { slot(); });
    menu->addAction(a);
    QMainWindow::addAction(a);  // shortcuts work even while the menu bar is hidden
    m_actions << a;
    return a;
}

void MainWindow::buildActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    addAction(file, "openImage", tr("&Open image..."), QKeySequence::Open, [this] { openWithDialog(); });
    file->addSeparator();
    addAction(file, "exportA", tr("Export &A..."), QKeySequence(Qt::CTRL | Qt::Key_E), [this] { exportWithDialog(ExportKind::A); });
    addAction(file, "exportB", tr("Export &B..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
              [this] { exportWithDialog(ExportKind::B); });
    addAction(file, "exportDifference", tr("Export &difference..."), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_D),
              [this] { exportWithDialog(ExportKind::Difference); });
    addAction(file, "exportSheet", tr("Export &side-by-side sheet..."), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E),
              [this] { exportWithDialog(ExportKind::SideBySide); });
    file->addSeparator();
    addAction(file, "quit", tr("&Quit"), QKeySequence::Quit, [this] { close(); });

    QMenu* prompt = menuBar()->addMenu(tr("&Prompt"));
    prompt->addMenu(m_prompt->templatesMenu());
    prompt->addMenu(m_prompt->recentMenu());
    prompt->addSeparator();
    addAction(prompt, "completeTag", tr("Complete tag"), QKeySequence(Qt::CTRL | Qt::Key_Space), [this] {
        m_prompt->editor()->setFocus();
        m_prompt->editor()->showCompletions();
    });
    addAction(prompt, "focusPrompt", tr("Edit prompt"), QKeySequence(Qt::CTRL | Qt::Key_L),
              [this] { m_prompt->editor()->setFocus(); });

    QMenu* generate = menuBar()->addMenu(tr("&Generate"));
    addAction(generate, "runA", tr("Run &A"), QKeySequence(Qt::CTRL | Qt::Key_R), [this] { runColumn(PrecisionPanel::A); });
    addAction(generate, "runB", tr("Run &B"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
              [this] { runColumn(PrecisionPanel::B); });
    QAction* cmp = addAction(generate, "compare", tr("&Compare A and B"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                             [this] { compare(); });
    cmp->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    addAction(generate, "sweep", tr("Precision &sweep…"), QKeySequence(), [this] { sweepWithDialog(); });
    generate->addSeparator();
    // Only enabled while jobs run, so Escape still clears a region or closes a popup otherwise.
    QAction* cancel = addAction(generate, "cancel", tr("Cancel"), QKeySequence(Qt::Key_Escape), [this] { cancelJobs(); });
    cancel->setEnabled(false);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    auto mode = [this](CompareView::Mode m) { return [this, m] { m_compare->setMode(m); }; };
    addAction(view, "modeSideBySide", tr("&Side by side"), QKeySequence(Qt::Key_S), mode(CompareView::Mode::SideBySide));
    addAction(view, "modeWipe", tr("&Wipe"), QKeySequence(Qt::Key_W), mode(CompareView::Mode::Wipe));
    QAction* flicker = addAction(view, "modeFlicker", tr("&Flicker A / B"), QKeySequence(Qt::Key_Space), [this] {
        if (m_compare->mode() != CompareView::Mode::Flicker) m_compare->setMode(CompareView::Mode::Flicker);
        else m_compare->setFlickerShowsB(!m_compare->flickerShowsB());
    });
    flicker->setAutoRepeat(false);
    addAction(view, "modeDifference", tr("&Difference"), QKeySequence(Qt::Key_D), mode(CompareView::Mode::Difference));
    view->addSeparator();
    auto canvas = [this](auto fn) {
        return [this, fn] {
            const QList<ImageCanvas*> canvases = m_compare->canvases();
            if (!canvases.isEmpty()) fn(canvases.front());  // the synchroniser mirrors it to B
        };
    };
    addAction(view, "zoom100", tr("Zoom 100 %"), QKeySequence(Qt::Key_1), canvas([](ImageCanvas* c) { c->resetZoom(); }));
    addAction(view, "zoomFit", tr("Fit to view"), QKeySequence(Qt::Key_F), canvas([](ImageCanvas* c) { c->fitToView(); }));
    QAction* zoomIn = addAction(view, "zoomIn", tr("Zoom in"), QKeySequence(Qt::Key_Plus), canvas([](ImageCanvas* c) { c->zoomIn(); }));
    zoomIn->setShortcuts({QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)});
    addAction(view, "zoomOut", tr("Zoom out"), QKeySequence(Qt::Key_Minus), canvas([](ImageCanvas* c) { c->zoomOut(); }));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    addAction(help, "shortcuts", tr("&Keyboard shortcuts..."), QKeySequence(Qt::Key_F1), [this] { showShortcuts(); });
    addAction(help, "about", tr("&About Precision Studio"), {}, [this] { showAbout(); });
}

QList<QAction*> MainWindow::shortcutActions() const { return m_actions + m_compare->actions(); }

QAction* MainWindow::action(const QString& objectName) const {
    for (QAction* a : m_actions)
        if (a->objectName() == objectName) return a;
    return nullptr;
}

void MainWindow::showShortcuts() {
    auto* dialog = new ShortcutsDialog(shortcutActions(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Precision Studio"),
                       tr("<b>%1</b><p>Runs NewBie-image with a precision per module and compares the results "
                          "pixel by pixel.</p>")
                           .arg(QString::fromStdString(app_version())));
}

void MainWindow::showError(const QString& title, const QString& message) {
    m_banner->showError(title, message);
    m_log->appendMessage(static_cast<int>(LogLevel::Error), QStringLiteral("%1: %2").arg(title, message));
    auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();  // window-modal without blocking the event loop (jobs keep reporting)
}

// ---- export ----

bool MainWindow::exportTo(ExportKind kind, const QString& path, ImageFormat format) {
    try {
        exportImage(path, format, kind, exportInputs());
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
        return false;
    }
    m_log->appendMessage(static_cast<int>(LogLevel::Info),
                         tr("Exported %1 to %2 (%3)").arg(exportKindName(kind), path, QString::fromLatin1(format_name(format))));
    m_settings->setValue("export/lastDir", QFileInfo(path).absolutePath());
    return true;
}

void MainWindow::exportWithDialog(ExportKind kind) {
    QString dir = m_settings->value("export/lastDir").toString();
    if (dir.isEmpty()) dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString filter = m_settings->value("export/filter", exportFormats().front().filter).toString();
    const QString name = QStringLiteral("%1-%2.png").arg(QStringLiteral("precision-studio"), exportKindName(kind));
    QString path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(exportKindName(kind)), QDir(dir).filePath(name),
                                                exportFilters(), &filter);
    if (path.isEmpty()) return;
    const auto format = formatForFilter(filter).value_or(ImageFormat::PNG8);
    for (const auto& f : exportFormats())
        if (f.format == format && QFileInfo(path).suffix().isEmpty()) path += QLatin1Char('.') + f.suffix;
    m_settings->setValue("export/filter", filter);
    exportTo(kind, path, format);
}

// ---- open / drop ----

void MainWindow::openWithDialog() {
    const QString dir = m_settings->value("export/lastDir").toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open an image with generation settings"), dir,
                                                      tr("Images (*.png *.tif *.tiff *.exr *.jpg *.jpeg)"));
    if (!path.isEmpty()) openImage(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() && !mime->urls().isEmpty() && isImageFile(mime->urls().front().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty()) return;
    event->acceptProposedAction();
    openImage(urls.front().toLocalFile());
}

}  // namespace studio::ui
