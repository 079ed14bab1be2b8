#include "studio/ui/CompareView.h"

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>

#include "studio/ui/ColormapLegend.h"
#include "studio/ui/ViewSynchronizer.h"

namespace studio::ui {

namespace {
QSize sizeOf(const ImagePtr& img) { return img ? QSize(img->width, img->height) : QSize(); }
}  // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent)
{
    m_canvasA = new ImageCanvas(this);
    m_canvasB = new ImageCanvas(this);
    m_canvasA->setObjectName(QStringLiteral("canvasA"));
    m_canvasB->setObjectName(QStringLiteral("canvasB"));
    m_legend = new ColormapLegend(this);
    m_sync = new ViewSynchronizer(this);
    m_sync->addCanvas(m_canvasA);
    m_sync->addCanvas(m_canvasB);
    m_flickerTimer = new QTimer(this);
    connect(m_flickerTimer, &QTimer::timeout, this, [this] { setFlickerShowsB(!m_showB); });

    buildToolBar();

    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(4);
    row->addWidget(m_canvasA, 1);
    row->addWidget(m_canvasB, 1);
    row->addWidget(m_legend);
    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(0, 0, 0, 0);
    col->setSpacing(0);
    col->addWidget(m_toolBar);
    col->addLayout(row, 1);

    for (ImageCanvas* c : {m_canvasA, m_canvasB}) {
        connect(c, &ImageCanvas::hoveredPixelChanged, this, &CompareView::hoveredPixel);
        connect(c, &ImageCanvas::roiChanged, this, [this](const QRect& r) {
            setRoi(r);
            Q_EMIT roiChanged(m_roi);
        });
    }
    connect(m_canvasA, &ImageCanvas::visibleRegionChanged, this, &CompareView::visibleRegionChanged);
    connect(m_canvasA, &ImageCanvas::viewTransformChanged, this, &CompareView::updateZoomLabel);
    refresh(true);
}

void CompareView::setImages(const ImageF& a, const ImageF& b)
{
    setImages(shareImage(a), shareImage(b));
}

void CompareView::setImageA(const ImageF& a) { setImages(shareImage(a), m_b); }
void CompareView::setImageB(const ImageF& b) { setImages(m_a, shareImage(b)); }

void CompareView::setImages(ImagePtr a, ImagePtr b)
{
    if (a && a->empty()) a = nullptr;
    if (b && b->empty()) b = nullptr;
    if (a != m_a) m_displayA = a ? toQImage(*a) : QImage();
    if (b != m_b) m_displayB = b ? toQImage(*b) : QImage();
    m_a = std::move(a);
    m_b = std::move(b);
    m_absDiff = nullptr;
    m_diffDirty = true;
    refresh(true);
    Q_EMIT imagesChanged();
}

void CompareView::setLabels(const QString& a, const QString& b)
{
    m_labelA = a;
    m_labelB = b;
    m_diffDirty = true;
    refresh(false);
}

void CompareView::setMode(Mode mode)
{
    if (m_modeActions.size() > static_cast<int>(mode)) {
        const QSignalBlocker block(m_modeGroup);
        m_modeActions[static_cast<int>(mode)]->setChecked(true);
    }
    if (mode == m_mode) return;
    m_mode = mode;
    m_spaceHeld = false;
    refresh(false);
    Q_EMIT modeChanged(mode);
}

void CompareView::setDifferenceGain(double gain)
{
    if (!(gain > 0) || !std::isfinite(gain) || gain == m_gain) return;
    m_gain = gain;
    {
        const QSignalBlocker block(m_gainSpin);
        m_gainSpin->setValue(gain);
    }
    m_legend->setGain(gain);
    m_diffDirty = true;
    if (m_mode == Mode::Difference) refresh(false);
}

void CompareView::setColormap(Colormap map)
{
    if (map == m_map) return;
    m_map = map;
    {
        const QSignalBlocker block(m_mapCombo);
        m_mapCombo->setCurrentIndex(static_cast<int>(map));
    }
    m_legend->setColormap(map);
    m_diffDirty = true;
    if (m_mode == Mode::Difference) refresh(false);
}

QImage CompareView::differenceImage() const
{
    const_cast<CompareView*>(this)->updateDifference();
    return m_diff.display;
}

void CompareView::setFlickerShowsB(bool showB)
{
    m_showB = showB;
    {
        const QSignalBlocker block(m_showBAction);
        m_showBAction->setChecked(showB);
    }
    if (m_mode == Mode::Flicker) refresh(false);
}

void CompareView::setAutoFlickerInterval(int ms)
{
    if (ms > 0) m_flickerMs->setValue(ms);
    m_autoFlicker->setChecked(ms > 0);
}

int CompareView::autoFlickerInterval() const
{
    return m_autoFlicker->isChecked() ? m_flickerMs->value() : 0;
}

void CompareView::setWipePosition(double imageX) { m_canvasA->setWipePosition(imageX); }
double CompareView::wipePosition() const { return m_canvasA->wipePosition(); }

void CompareView::setRoi(const QRect& roi)
{
    m_roi = roi.isValid() ? roi : QRect();
    m_canvasA->setRoi(m_roi);
    m_canvasB->setRoi(m_roi);
}

QRect CompareView::visibleRegion() const { return m_canvasA->visibleImageRect(); }

QList<ImageCanvas*> CompareView::canvases() const { return {m_canvasA, m_canvasB}; }

CanvasLayer CompareView::layerA() const { return {m_a, m_displayA, m_labelA}; }
CanvasLayer CompareView::layerB() const { return {m_b, m_displayB, m_labelB}; }

QString CompareView::sizeProblem() const
{
    if (m_a && m_b && sizeOf(m_a) != sizeOf(m_b))
        return tr("A is %1×%2 and B is %3×%4: no pixel-wise comparison")
            .arg(m_a->width).arg(m_a->height).arg(m_b->width).arg(m_b->height);
    return {};
}

void CompareView::updateDifference()
{
    if (!m_diffDirty) return;
    m_diffDirty = false;
    m_diff = {};
    m_diffError.clear();
    if (!m_a || !m_b || !sizeProblem().isEmpty()) return;
    try {
        if (!m_absDiff) m_absDiff = std::make_shared<const ImageF>(abs_difference(*m_a, *m_b));
        m_diff.display = toQImage(difference_heatmap(*m_a, *m_b, m_gain, m_map));
        m_diff.values = m_absDiff;
        m_diff.label = QStringLiteral("|A − B| × %1").arg(QString::number(m_gain, 'g', 6));
    } catch (const std::exception& e) {  // channel mismatch and the like: say so, never crash
        m_diff = {};
        m_diffError = QString::fromUtf8(e.what());
    }
}

void CompareView::refresh(bool imagesChanged)
{
    const QSize size = m_a ? sizeOf(m_a) : sizeOf(m_b);
    const bool both = m_a && m_b;
    const QString problem = sizeProblem();
    QString message;
    bool legend = false;

    m_sync->setEnabled(false);
    m_canvasA->setWipeEnabled(false);
    m_canvasA->setPlaceholderText(tr("No image"));
    const CanvasLayer any = m_a ? layerA() : layerB();
    switch (m_mode) {
    case Mode::SideBySide:
        m_canvasA->setPlaceholderText(tr("No image A"));
        m_canvasB->setPlaceholderText(tr("No image B"));
        m_canvasB->setLayer(layerB());
        m_canvasA->setLayer(layerA());
        break;
    case Mode::Wipe:
        m_canvasA->setLayer(any);
        if (both && problem.isEmpty()) {
            m_canvasA->setWipeLayer(layerB());
            m_canvasA->setWipeEnabled(true);
        } else if (!problem.isEmpty()) {
            message = problem;
        } else if (m_a || m_b) {
            message = m_a ? tr("Wipe: B is not set") : tr("Wipe: A is not set");
        }
        break;
    case Mode::Flicker: {
        const bool showB = (m_showB || m_spaceHeld) && m_b;
        m_canvasA->setLayer(showB || !m_a ? layerB() : layerA());
        if (!both && (m_a || m_b)) message = m_a ? tr("Flicker: B is not set") : tr("Flicker: A is not set");
        break;
    }
    case Mode::Difference:
        updateDifference();
        if (!m_diff.isNull()) {
            m_canvasA->setLayer(m_diff);
            legend = true;
        } else {
            m_canvasA->setLayer(any);
            if (!problem.isEmpty())
                message = problem;
            else if (!m_diffError.isEmpty())
                message = m_diffError;
            else if (m_a || m_b)
                message = tr("Difference needs both A and B");
        }
        break;
    }
    m_canvasB->setVisible(m_mode == Mode::SideBySide);
    m_legend->setVisible(legend);
    m_canvasA->setMessage(message);
    m_canvasB->setMessage(QString());
    m_sync->setEnabled(true);

    if (imagesChanged && size != m_lastSize) {
        m_lastSize = size;
        if (m_roi.isValid()) {
            setRoi(QRect());
            Q_EMIT roiChanged(m_roi);
        }
        m_canvasA->fitToView();
    }
    setRoi(m_roi);
    // Canvases may have fitted themselves while unsynchronised; A's view is the one on screen.
    m_sync->setEnabled(false);
    m_canvasB->setViewTransform(m_canvasA->viewTransform());
    if (m_canvasA->isFitted()) m_canvasB->setFitted(true);
    m_sync->setEnabled(true);
    updateControls();
    updateZoomLabel();
}

void CompareView::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && m_mode == Mode::Flicker) {
        if (!event->isAutoRepeat() && !m_spaceHeld) {
            m_spaceHeld = true;
            refresh(false);
        }
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void CompareView::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && m_mode == Mode::Flicker) {
        if (!event->isAutoRepeat() && m_spaceHeld) {
            m_spaceHeld = false;
            refresh(false);
        }
        event->accept();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

}  // namespace studio::ui
