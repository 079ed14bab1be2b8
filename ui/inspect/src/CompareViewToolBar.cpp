// CompareView's toolbar: mode selector, flicker and difference controls, zoom buttons.
#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>
#include <QToolBar>

#include <cmath>

#include "studio/ui/ColormapLegend.h"
#include "studio/ui/CompareView.h"

namespace studio::ui {

namespace {

QAction* addShortcutAction(QWidget* owner, QToolBar* bar, const QString& text, const QKeySequence& key,
                           const QString& tip)
{
    QAction* a = bar->addAction(text);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    a->setToolTip(key.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    owner->addAction(a);  // shortcut active wherever the focus is inside the compare view
    return a;
}

}  // namespace

void CompareView::buildToolBar()
{
    m_toolBar = new QToolBar(this);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->setMovable(false);

    m_modeGroup = new QActionGroup(this);
    m_modeGroup->setExclusive(true);
    const struct {
        QString text;
        Mode mode;
        QString tip;
    } modes[] = {
        {tr("Side by side"), Mode::SideBySide, tr("A and B next to each other, zoom and pan locked")},
        {tr("Wipe"), Mode::Wipe, tr("A left, B right of a divider you can drag")},
        {tr("Flicker"), Mode::Flicker, tr("Hold Space to see B, or toggle with T")},
        {tr("Difference"), Mode::Difference, tr("|A − B| × gain through a colour map")},
    };
    int n = 0;
    for (const auto& m : modes) {
        QAction* a = addShortcutAction(this, m_toolBar, m.text, QKeySequence(Qt::CTRL | (Qt::Key_1 + n++)), m.tip);
        a->setCheckable(true);
        a->setData(static_cast<int>(m.mode));
        a->setChecked(m.mode == m_mode);
        m_modeGroup->addAction(a);
        m_modeActions.append(a);
    }
    connect(m_modeGroup, &QActionGroup::triggered, this,
            [this](QAction* a) { setMode(static_cast<Mode>(a->data().toInt())); });

    // Flicker controls.
    m_flickerControls.append(m_toolBar->addSeparator());
    m_showBAction = addShortcutAction(this, m_toolBar, tr("Show B"), QKeySequence(Qt::Key_T), tr("Toggle A / B"));
    m_showBAction->setCheckable(true);
    connect(m_showBAction, &QAction::toggled, this, &CompareView::setFlickerShowsB);
    m_flickerControls.append(m_showBAction);
    m_autoFlicker = new QCheckBox(tr("Auto"), m_toolBar);
    m_autoFlicker->setToolTip(tr("Alternate A and B automatically"));
    m_flickerMs = new QSpinBox(m_toolBar);
    m_flickerMs->setRange(100, 5000);
    m_flickerMs->setSingleStep(100);
    m_flickerMs->setValue(500);
    m_flickerMs->setSuffix(tr(" ms"));
    m_flickerControls.append(m_toolBar->addWidget(m_autoFlicker));
    m_flickerControls.append(m_toolBar->addWidget(m_flickerMs));
    auto restartTimer = [this] {
        if (m_autoFlicker->isChecked() && m_mode == Mode::Flicker)
            m_flickerTimer->start(m_flickerMs->value());
        else
            m_flickerTimer->stop();
    };
    connect(m_autoFlicker, &QCheckBox::toggled, this, restartTimer);
    connect(m_flickerMs, qOverload<int>(&QSpinBox::valueChanged), this, restartTimer);
    connect(this, &CompareView::modeChanged, this, restartTimer);

    // Difference controls.
    m_diffControls.append(m_toolBar->addSeparator());
    auto* gainLabel = new QLabel(tr("Gain "), m_toolBar);
    m_gainSpin = new QDoubleSpinBox(m_toolBar);
    m_gainSpin->setRange(0.1, 100000.0);
    m_gainSpin->setDecimals(1);
    m_gainSpin->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    m_gainSpin->setPrefix(QStringLiteral("× "));
    m_gainSpin->setValue(m_gain);
    m_gainSpin->setToolTip(tr("The colour map spans |A − B| from 0 to 1 / gain"));
    connect(m_gainSpin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &CompareView::setDifferenceGain);
    m_mapCombo = new QComboBox(m_toolBar);
    m_mapCombo->addItems({tr("Inferno"), tr("Viridis"), tr("Turbo"), tr("Grayscale")});
    m_mapCombo->setToolTip(tr("Colour map of the difference"));
    connect(m_mapCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { setColormap(static_cast<Colormap>(i)); });
    m_diffControls.append(m_toolBar->addWidget(gainLabel));
    m_diffControls.append(m_toolBar->addWidget(m_gainSpin));
    m_diffControls.append(m_toolBar->addWidget(m_mapCombo));
    m_legend->setGain(m_gain);
    m_legend->setColormap(m_map);

    auto* spacer = new QWidget(m_toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolBar->addWidget(spacer);
    m_zoomLabel = new QLabel(m_toolBar);
    m_zoomLabel->setMinimumWidth(m_zoomLabel->fontMetrics().horizontalAdvance(QStringLiteral("25600 %  ")));
    m_zoomLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_zoomLabel->setToolTip(tr("Zoom: 100 % = one image pixel per screen pixel"));
    m_toolBar->addWidget(m_zoomLabel);
    QAction* fit = m_toolBar->addAction(tr("Fit"));
    fit->setToolTip(tr("Fit the image in the view (F)"));
    connect(fit, &QAction::triggered, this, [this] { m_canvasA->fitToView(); });
    QAction* one = m_toolBar->addAction(tr("1:1"));
    one->setToolTip(tr("100 %: one image pixel per screen pixel (1)"));
    connect(one, &QAction::triggered, this, [this] { m_canvasA->resetZoom(); });
}

void CompareView::updateControls()
{
    for (QAction* a : m_flickerControls) a->setVisible(m_mode == Mode::Flicker);
    for (QAction* a : m_diffControls) a->setVisible(m_mode == Mode::Difference);
}

void CompareView::updateZoomLabel()
{
    const double pct = m_canvasA->zoom() * 100.0;
    m_zoomLabel->setText(QStringLiteral("%1 %").arg(pct < 10 ? QString::number(pct, 'f', 1)
                                                              : QString::number(std::lround(pct))));
}

}  // namespace studio::ui
