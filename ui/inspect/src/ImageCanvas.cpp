#include "studio/ui/ImageCanvas.h"

#include <QCursor>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace studio::ui {

namespace {
constexpr double kDividerGrab = 6.0;  // logical px either side of the wipe divider
constexpr double kClickSlop = 3.0;    // a Shift+click shorter than this clears the ROI
}  // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QWidget(parent)
{
    qRegisterMetaType<ViewTransform>();
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setPlaceholderText(tr("No image"));
}

void ImageCanvas::setImage(const ImageF& img, const QString& label)
{
    setLayer({shareImage(img), toQImage(img), label});
}

void ImageCanvas::setLayer(CanvasLayer layer)
{
    const QSize oldSize = imageSize();
    const bool hadImage = hasImage();
    m_layer = std::move(layer);
    if (!hasImage()) {
        update();
        return;
    }
    if (!hadImage || oldSize != imageSize()) {
        m_wipeX = imageSize().width() / 2.0;
        if (m_roi.isValid() && !QRect(QPoint(), imageSize()).contains(m_roi)) m_roi = QRect();
        fitToView();
    }
    update();
}

void ImageCanvas::clear()
{
    m_layer = {};
    m_second = {};
    update();
}

void ImageCanvas::setWipeLayer(CanvasLayer second)
{
    m_second = std::move(second);
    update();
}

void ImageCanvas::setWipeEnabled(bool on)
{
    if (on == m_wipe) return;
    m_wipe = on;
    if (on && hasImage() && (m_wipeX <= 0 || m_wipeX >= imageSize().width())) m_wipeX = imageSize().width() / 2.0;
    update();
}

void ImageCanvas::setWipePosition(double imageX)
{
    const double w = hasImage() ? imageSize().width() : 0.0;
    imageX = std::clamp(imageX, 0.0, w);
    if (imageX == m_wipeX) return;
    m_wipeX = imageX;
    update();
    Q_EMIT wipePositionChanged(m_wipeX);
}

double ImageCanvas::scale() const
{
    return m_view.zoom / devicePixelRatioF();
}

QPointF ImageCanvas::origin() const
{
    const double dpr = devicePixelRatioF();
    const QPointF o = QPointF(width() / 2.0, height() / 2.0) - m_view.center * scale();
    // Whole device pixels, so that at integer zoom each image pixel covers whole screen pixels.
    return {std::round(o.x() * dpr) / dpr, std::round(o.y() * dpr) / dpr};
}

QPointF ImageCanvas::mapToImage(QPointF widgetPos) const
{
    return (widgetPos - origin()) / scale();
}

QPointF ImageCanvas::mapFromImage(QPointF imagePos) const
{
    return origin() + imagePos * scale();
}

QRect ImageCanvas::visibleImageRect() const
{
    if (!hasImage()) return {};
    const QPointF a = mapToImage(QPointF(0, 0));
    const QPointF b = mapToImage(QPointF(width(), height()));
    const int x0 = static_cast<int>(std::floor(a.x())), y0 = static_cast<int>(std::floor(a.y()));
    const int x1 = static_cast<int>(std::ceil(b.x())), y1 = static_cast<int>(std::ceil(b.y()));
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1)).intersected(QRect(QPoint(), imageSize()));
}

ViewTransform ImageCanvas::clamped(ViewTransform v) const
{
    if (!std::isfinite(v.zoom) || v.zoom <= 0) v.zoom = 1.0;
    v.zoom = std::clamp(v.zoom, kMinZoom, kMaxZoom);
    if (!std::isfinite(v.center.x()) || !std::isfinite(v.center.y())) v.center = {};
    if (hasImage()) {  // never pan the image entirely out of view
        v.center.setX(std::clamp(v.center.x(), 0.0, static_cast<double>(imageSize().width())));
        v.center.setY(std::clamp(v.center.y(), 0.0, static_cast<double>(imageSize().height())));
    }
    return v;
}

void ImageCanvas::applyView(const ViewTransform& view, bool fromUser)
{
    const ViewTransform v = clamped(view);
    if (fromUser) m_fitted = false;
    if (v == m_view) return;
    m_view = v;
    update();
    Q_EMIT viewTransformChanged(m_view);
    Q_EMIT visibleRegionChanged(visibleImageRect());
    if (underMouse()) updateHover(mapFromGlobal(QCursor::pos()));
}

void ImageCanvas::setViewTransform(const ViewTransform& view)
{
    applyView(view, true);
}

void ImageCanvas::setZoom(double zoom, QPointF anchor)
{
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    const QPointF fixed = mapToImage(anchor);
    const QPointF mid(width() / 2.0, height() / 2.0);
    applyView({zoom, (mid - anchor) / (zoom / devicePixelRatioF()) + fixed}, true);
}

void ImageCanvas::zoomSteps(int steps, QPointF anchor)
{
    if (steps == 0) return;
    const double level = 4.0 * std::log2(m_view.zoom);
    const double nearest = std::round(level);
    double k;
    if (std::abs(level - nearest) < 1e-6)
        k = nearest + steps;
    else
        k = (steps > 0 ? std::floor(level) : std::ceil(level)) + steps;
    setZoom(std::pow(2.0, k / 4.0), anchor);
}

QPointF ImageCanvas::cursorAnchor() const
{
    const QPoint p = mapFromGlobal(QCursor::pos());
    return rect().contains(p) ? QPointF(p) : QPointF(width() / 2.0, height() / 2.0);
}

void ImageCanvas::zoomIn() { zoomSteps(4, cursorAnchor()); }  // x2: 100, 200 ... 3200 % in five presses
void ImageCanvas::zoomOut() { zoomSteps(-4, cursorAnchor()); }
void ImageCanvas::resetZoom() { setZoom(1.0, QPointF(width() / 2.0, height() / 2.0)); }

void ImageCanvas::fitToView()
{
    if (!hasImage() || width() <= 0 || height() <= 0) return;
    const double dpr = devicePixelRatioF();
    const QSize s = imageSize();
    const double z = std::min(width() * dpr / s.width(), height() * dpr / s.height());
    m_fitted = true;  // before applyView: synchronised peers read it while it emits
    applyView({z, QPointF(s.width() / 2.0, s.height() / 2.0)}, false);
}

void ImageCanvas::setFitted(bool fitted)
{
    m_fitted = fitted;
    if (fitted) fitToView();
}

void ImageCanvas::setRoi(const QRect& roi)
{
    const QRect r = hasImage() ? roi.intersected(QRect(QPoint(), imageSize())) : roi;
    if (r == m_roi) return;
    m_roi = r.isValid() ? r : QRect();
    update();
}

void ImageCanvas::setPlaceholderText(const QString& text)
{
    m_placeholder = text;
    update();
}

void ImageCanvas::setMessage(const QString& text)
{
    m_message = text;
    update();
}

void ImageCanvas::resizeEvent(QResizeEvent*)
{
    if (m_fitted)
        fitToView();
    else
        Q_EMIT visibleRegionChanged(visibleImageRect());
}

void ImageCanvas::wheelEvent(QWheelEvent* event)
{
    // One notch (120) = one 2^(1/4) step; touchpads send smaller deltas, accumulated here.
    m_wheelAccum += event->angleDelta().y();
    const int steps = m_wheelAccum / 120;
    m_wheelAccum -= steps * 120;
    zoomSteps(steps, event->position());
    event->accept();
}

bool ImageCanvas::nearDivider(QPointF pos) const
{
    if (!m_wipe || !hasImage() || m_second.isNull()) return false;
    return std::abs(mapFromImage({m_wipeX, 0}).x() - pos.x()) <= kDividerGrab;
}

QRect ImageCanvas::roiFromDrag(QPointF a, QPointF b) const
{
    const QPointF ia = mapToImage(a), ib = mapToImage(b);
    const int x0 = static_cast<int>(std::floor(std::min(ia.x(), ib.x())));
    const int y0 = static_cast<int>(std::floor(std::min(ia.y(), ib.y())));
    const int x1 = static_cast<int>(std::ceil(std::max(ia.x(), ib.x())));
    const int y1 = static_cast<int>(std::ceil(std::max(ia.y(), ib.y())));
    const QRect r = QRect(x0, y0, x1 - x0, y1 - y0).intersected(QRect(QPoint(), imageSize()));
    return r.isValid() ? r : QRect();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event)
{
    const QPointF pos = event->position();
    m_dragStart = m_dragLast = pos;
    m_dragView = m_view;
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier) && hasImage())
        m_drag = Drag::Roi;
    else if (event->button() == Qt::LeftButton && nearDivider(pos))
        m_drag = Drag::Wipe;
    else if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    } else {
        QWidget::mousePressEvent(event);
        return;
    }
    event->accept();
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QPointF pos = event->position();
    switch (m_drag) {
    case Drag::Pan: {
        ViewTransform v = m_dragView;
        v.center = m_dragView.center - (pos - m_dragStart) / scale();
        applyView(v, true);
        break;
    }
    case Drag::Roi:
        m_roi = roiFromDrag(m_dragStart, pos);
        update();
        break;
    case Drag::Wipe:
        setWipePosition(mapToImage(pos).x());
        break;
    case Drag::None:
        if (nearDivider(pos))
            setCursor(Qt::SplitHCursor);
        else
            unsetCursor();
        break;
    }
    m_dragLast = pos;
    updateHover(pos);
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_drag == Drag::Roi) {
        const QPointF d = event->position() - m_dragStart;
        m_roi = std::hypot(d.x(), d.y()) < kClickSlop ? QRect() : roiFromDrag(m_dragStart, event->position());
        update();
        Q_EMIT roiChanged(m_roi);
    }
    m_drag = Drag::None;
    unsetCursor();
}

void ImageCanvas::leaveEvent(QEvent*)
{
    if (m_hover != QPoint(-1, -1)) {
        m_hover = QPoint(-1, -1);
        Q_EMIT hoveredPixelChanged(m_hover);
    }
}

void ImageCanvas::updateHover(QPointF pos)
{
    QPoint pixel(-1, -1);
    if (hasImage()) {
        const QPointF ip = mapToImage(pos);
        const QPoint p(static_cast<int>(std::floor(ip.x())), static_cast<int>(std::floor(ip.y())));
        if (QRect(QPoint(), imageSize()).contains(p)) pixel = p;
    }
    if (pixel == m_hover) return;
    m_hover = pixel;
    Q_EMIT hoveredPixelChanged(pixel);
}

void ImageCanvas::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_1:
        resetZoom();
        break;
    case Qt::Key_F:
        fitToView();
        break;
    case Qt::Key_Escape:
        if (!m_roi.isValid()) {
            event->ignore();
            return;
        }
        m_roi = QRect();
        update();
        Q_EMIT roiChanged(m_roi);
        break;
    default:
        QWidget::keyPressEvent(event);  // Space and the rest go to the parent (flicker)
        return;
    }
    event->accept();
}

}  // namespace studio::ui
