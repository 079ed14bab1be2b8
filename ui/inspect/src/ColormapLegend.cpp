#include "studio/ui/ColormapLegend.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace studio::ui {

namespace {

QString formatValue(double v)
{
    if (v == 0.0) return QStringLiteral("0");
    if (v >= 0.01) return QString::number(v, 'f', 4);
    return QString::number(v, 'e', 2);
}

}  // namespace

ColormapLegend::ColormapLegend(QWidget* parent) : QWidget(parent)
{
    setToolTip(tr("|A − B| (largest channel difference) for each colour at the current gain"));
}

void ColormapLegend::setColormap(Colormap map)
{
    m_map = map;
    update();
}

void ColormapLegend::setGain(double gain)
{
    m_gain = gain > 0 && std::isfinite(gain) ? gain : 1.0;
    update();
}

void ColormapLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QFontMetrics fm(font());
    const int top = fm.height() + 10;
    const int bottom = height() - fm.height() / 2 - 6;
    const QRect bar(6, top, 16, std::max(10, bottom - top));

    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, 2, width(), fm.height()), Qt::AlignLeft | Qt::AlignVCenter, tr("|A−B|"));

    for (int y = 0; y < bar.height(); ++y) {
        const double t = 1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1);
        const auto c = colormap_lookup(m_map, t);
        p.setPen(QColor::fromRgbF(c[0], c[1], c[2]));
        p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar.adjusted(0, 0, -1, -1));

    p.setPen(palette().color(QPalette::WindowText));
    for (int i = 0; i <= 4; ++i) {
        const double t = i / 4.0;
        const int y = bar.bottom() - static_cast<int>(std::lround(t * (bar.height() - 1)));
        p.drawLine(bar.right() + 1, y, bar.right() + 4, y);
        QString text = formatValue(valueAt(t));
        if (i == 4) text.prepend(QStringLiteral("≥"));
        p.drawText(QRect(bar.right() + 7, y - fm.height() / 2, width() - bar.right() - 7, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
    }
}

}  // namespace studio::ui
