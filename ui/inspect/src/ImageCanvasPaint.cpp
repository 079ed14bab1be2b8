// ImageCanvas drawing: image layers, pixel grid, value text and overlays.
#include "studio/ui/ImageCanvas.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace studio::ui {

namespace {

QColor canvasBackground(const QPalette& pal)
{
    // A shade off the window colour so the image edge stays visible in dark and light themes.
    const QColor w = pal.color(QPalette::Window);
    return w.lightness() < 128 ? w.darker(130) : w.darker(112);
}

bool isDark(QRgb c)
{
    return 0.2126 * qRed(c) + 0.7152 * qGreen(c) + 0.0722 * qBlue(c) < 128.0;
}

}  // namespace

void ImageCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), canvasBackground(palette()));
    if (!hasImage()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        if (!m_message.isEmpty()) paintOverlays(p);
        return;
    }
    const QRectF all(rect());
    if (m_wipe && !m_second.isNull()) {
        const double dx = std::clamp(mapFromImage({m_wipeX, 0}).x(), 0.0, all.width());
        paintLayer(p, m_layer, QRectF(0, 0, dx, all.height()));
        paintLayer(p, m_second, QRectF(dx, 0, all.width() - dx, all.height()));
    } else {
        paintLayer(p, m_layer, all);
    }
    paintOverlays(p);
}

void ImageCanvas::paintLayer(QPainter& p, const CanvasLayer& layer, const QRectF& clip) const
{
    if (clip.width() <= 0 || clip.height() <= 0 || layer.isNull()) return;
    const QPointF a = mapToImage(clip.topLeft()), b = mapToImage(clip.bottomRight());
    const QRect bounds(QPoint(), layer.display.size());
    const int x0 = static_cast<int>(std::floor(a.x())), y0 = static_cast<int>(std::floor(a.y()));
    const int x1 = static_cast<int>(std::ceil(b.x())), y1 = static_cast<int>(std::ceil(b.y()));
    const QRect src = QRect(x0, y0, x1 - x0, y1 - y0).intersected(bounds);
    if (src.isEmpty()) return;

    p.save();
    p.setClipRect(clip);
    const QRectF target(mapFromImage(src.topLeft()), QSizeF(src.size()) * scale());
    // Nearest neighbour from 100 % so single pixels stay square; smooth only when shrinking.
    p.setRenderHint(QPainter::SmoothPixmapTransform, m_view.zoom < 1.0);
    p.drawImage(target, layer.display, QRectF(src));
    if (m_view.zoom >= kGridZoom) paintGrid(p, src);
    if (m_view.zoom >= kValuesZoom && layer.values) paintValues(p, layer, src, clip);
    p.restore();
}

void ImageCanvas::paintGrid(QPainter& p, const QRect& px) const
{
    // Difference blending keeps the grid visible on black, white and mid grey alike; it fades
    // in from 800 % so it never dominates the image.
    const int level = static_cast<int>(std::clamp(40.0 + 12.0 * std::log2(m_view.zoom / kGridZoom), 40.0, 80.0));
    p.setCompositionMode(QPainter::CompositionMode_Difference);
    p.setPen(QPen(QColor(level, level, level), 0));
    const double top = mapFromImage(QPointF(0, px.top())).y();
    const double bottom = mapFromImage(QPointF(0, px.top() + px.height())).y();
    const double left = mapFromImage(QPointF(px.left(), 0)).x();
    const double right = mapFromImage(QPointF(px.left() + px.width(), 0)).x();
    for (int x = px.left(); x <= px.left() + px.width(); ++x) {
        const double wx = mapFromImage(QPointF(x, 0)).x();
        p.drawLine(QPointF(wx, top), QPointF(wx, bottom));
    }
    for (int y = px.top(); y <= px.top() + px.height(); ++y) {
        const double wy = mapFromImage(QPointF(0, y)).y();
        p.drawLine(QPointF(left, wy), QPointF(right, wy));
    }
    p.setCompositionMode(QPainter::CompositionMode_SourceOver);
}

void ImageCanvas::paintValues(QPainter& p, const CanvasLayer& layer, const QRect& px, const QRectF& clip) const
{
    const ImageF& img = *layer.values;
    const int lines = std::clamp(img.channels, 1, 4);
    const double cell = scale();
    const int decimals = cell >= 48 ? 4 : 3;
    const int chars = decimals + 3;  // "-0." + digits
    QFont font = this->font();
    font.setPixelSize(std::max(5, static_cast<int>(std::min(cell * 0.8 / lines, cell * 0.92 / (chars * 0.6)))));
    p.setFont(font);
    const double lineH = QFontMetricsF(font).height();
    static const char* const kChannelTint[] = {"#ff9d9d", "#9dff9d", "#a8c4ff", "#ffffff"};
    static const char* const kChannelTintDark[] = {"#8a0000", "#006000", "#0030a0", "#000000"};

    for (int y = px.top(); y <= px.bottom(); ++y) {
        for (int x = px.left(); x <= px.right(); ++x) {
            if (x >= img.width || y >= img.height) continue;
            const QRectF cellRect(mapFromImage(QPointF(x, y)), QSizeF(cell, cell));
            if (!cellRect.intersects(clip)) continue;
            const bool dark = isDark(layer.display.pixel(x, y));
            const double y0 = cellRect.center().y() - lines * lineH / 2.0;
            for (int c = 0; c < lines; ++c) {
                // Channel-tinted text so R, G, B lines are told apart at a glance.
                const int tint = lines == 1 ? 3 : c;
                p.setPen(QColor(dark ? kChannelTint[tint] : kChannelTintDark[tint]));
                const QRectF line(cellRect.left(), y0 + c * lineH, cell, lineH);
                p.drawText(line, Qt::AlignCenter, formatFloat(img.at(x, y, c), decimals));
            }
        }
    }
}

void ImageCanvas::paintTag(QPainter& p, const QString& text, bool right) const
{
    if (text.isEmpty()) return;
    const QFontMetrics fm(font());
    const QSize s(fm.horizontalAdvance(text) + 14, fm.height() + 6);
    const QRect r(right ? width() - s.width() - 8 : 8, 8, s.width(), s.height());
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 165));
    p.drawRoundedRect(r, 4, 4);
    p.setPen(Qt::white);
    p.drawText(r, Qt::AlignCenter, text);
}

void ImageCanvas::paintOverlays(QPainter& p) const
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setFont(font());
    if (hasImage() && m_roi.isValid()) {
        const QRectF r(mapFromImage(m_roi.topLeft()), QSizeF(m_roi.size()) * scale());
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(QColor(0, 0, 0, 200), 3));
        p.drawRect(r);
        p.setPen(QPen(QColor(255, 214, 0), 1.5, Qt::DashLine));
        p.drawRect(r);
    }
    const bool wipe = m_wipe && hasImage() && !m_second.isNull();
    if (wipe) {
        const double dx = mapFromImage({m_wipeX, 0}).x();
        p.setPen(QPen(QColor(0, 0, 0, 160), 3));
        p.drawLine(QPointF(dx, 0), QPointF(dx, height()));
        p.setPen(QPen(Qt::white, 1));
        p.drawLine(QPointF(dx, 0), QPointF(dx, height()));
        // Grab handle with left/right arrows in the middle of the divider.
        const QPointF c(dx, height() / 2.0);
        p.setBrush(QColor(0, 0, 0, 170));
        p.setPen(QPen(Qt::white, 1.5));
        p.drawEllipse(c, 12, 12);
        QPainterPath arrows;
        arrows.moveTo(c + QPointF(-3, -5));
        arrows.lineTo(c + QPointF(-8, 0));
        arrows.lineTo(c + QPointF(-3, 5));
        arrows.moveTo(c + QPointF(3, -5));
        arrows.lineTo(c + QPointF(8, 0));
        arrows.lineTo(c + QPointF(3, 5));
        p.setBrush(Qt::NoBrush);
        p.drawPath(arrows);
    }
    if (hasImage()) {
        paintTag(p, m_layer.label, false);
        if (wipe) paintTag(p, m_second.label, true);
    }
    if (!m_message.isEmpty()) {
        const QFontMetrics fm(font());
        const int w = std::min(width() - 16, fm.horizontalAdvance(m_message) + 24);
        const QRect r((width() - w) / 2, height() - fm.height() - 22, w, fm.height() + 12);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(20, 20, 20, 200));
        p.drawRoundedRect(r, 5, 5);
        p.setPen(QColor(255, 200, 120));
        p.drawText(r, Qt::AlignCenter, fm.elidedText(m_message, Qt::ElideRight, w - 12));
    }
    p.restore();
}

}  // namespace studio::ui
