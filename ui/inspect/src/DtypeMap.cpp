#include "studio/ui/DtypeMap.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace studio::ui {

namespace {

constexpr int kLineHeight = 14;
constexpr int kCellHeight = 11;
constexpr int kMinStride = 6;  // cell plus 1 px gap
constexpr int kMaxStride = 10;
constexpr int kMargin = 4;
constexpr int kSwatch = 10;

const QColor kFp32(66, 133, 244);
const QColor kFp16(67, 160, 71);
const QColor kBf16(251, 140, 0);
const QColor kOther(150, 150, 150);
const QColor kNonfinite(229, 57, 53);

// Value precision says what the values carry; the dtype alone (fewer than 1000 values seen)
// is weaker evidence and drawn paler.
QColor precisionColour(const QString& p)
{
    if (p == QLatin1String("fp32")) return kFp32;
    if (p == QLatin1String("fp16/tf32") || p == QLatin1String("fp16") || p == QLatin1String("tf32")) return kFp16;
    if (p == QLatin1String("bf16")) return kBf16;
    return kOther;
}

QString number(double v, char format, int precision)
{
    return std::isfinite(v) ? QString::number(v, format, precision) : QStringLiteral("—");
}

}  // namespace

DtypeMap::DtypeMap(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void DtypeMap::setLayers(const QList<AuditLayer>& layers, int firstFailingRow)
{
    m_layers = layers;
    m_firstFailing = firstFailingRow;
    m_selected = m_hovered = -1;
    m_lines.clear();
    for (int i = 0; i < m_layers.size(); ++i) {
        if (m_lines.isEmpty() || m_lines.back().module != m_layers[i].module) m_lines << Line{m_layers[i].module, i, 0};
        ++m_lines.back().count;
    }
    layout();
    updateGeometry();
    update();
}

QColor DtypeMap::cellColor(int row) const
{
    if (row < 0 || row >= m_layers.size()) return {};
    const AuditLayer& l = m_layers[row];
    if (l.nonfinite()) return row == m_firstFailing ? kNonfinite.darker(130) : kNonfinite;
    if (!l.valuePrecision.isEmpty()) return precisionColour(l.valuePrecision);
    const QColor c = precisionColour(l.outputDtype);
    return c == kOther ? c : c.lighter(140);
}

QRect DtypeMap::cellRect(int row) const { return row >= 0 && row < m_cells.size() ? m_cells[row] : QRect(); }

int DtypeMap::rowAt(const QPoint& pos) const
{
    for (int i = 0; i < m_cells.size(); ++i)
        if (m_cells[i].adjusted(0, 0, 1, 0).contains(pos)) return i;  // the gap belongs to the cell on its left
    return -1;
}

QString DtypeMap::cellToolTip(int row) const
{
    if (row < 0 || row >= m_layers.size()) return {};
    const AuditLayer& l = m_layers[row];
    QString tip = tr("%1: %2, weight %3, output %4, values %5, max |x| %6, headroom %7 bits, NaN/Inf %8/%9")
                      .arg(l.path(), l.kind, l.weightDtype.isEmpty() ? tr("none") : l.weightDtype,
                           l.outputDtype.isEmpty() ? QStringLiteral("—") : l.outputDtype,
                           l.valuePrecision.isEmpty() ? tr("— (< 1000 values)") : l.valuePrecision,
                           number(l.maxAbs, 'g', 5), number(l.headroomBits, 'f', 1))
                      .arg(l.nan)
                      .arg(l.inf);
    if (l.nonfinite() && l.firstNonfiniteStep >= 1) tip += tr(" from step %1").arg(l.firstNonfiniteStep);
    if (row == m_firstFailing) tip += tr("\nFirst layer to go non-finite");
    return tip;
}

DtypeMap::Geometry DtypeMap::geometryFor(int width) const
{
    Geometry g;
    const QFontMetrics fm(font());
    for (const Line& line : m_lines) g.labelWidth = std::max(g.labelWidth, fm.horizontalAdvance(line.module));
    g.labelWidth += 8;
    int widest = 1;
    for (const Line& line : m_lines) widest = std::max(widest, line.count);
    const int available = std::max(kMinStride, width - g.labelWidth - 2 * kMargin);
    // Widest module on one line when cells of at least kMinStride fit, else wrap.
    g.cellWidth = std::clamp(available / widest, kMinStride, kMaxStride);
    g.perLine = std::max(1, std::min(widest, available / g.cellWidth));
    int lines = 0;
    for (const Line& line : m_lines) lines += (line.count + g.perLine - 1) / g.perLine;
    g.height = kMargin + lines * kLineHeight + kMargin + legendLines(width) * (fm.height() + 2) + kMargin;
    return g;
}

QSize DtypeMap::sizeHint() const { return {800, geometryFor(width() > 0 ? width() : 800).height}; }

QSize DtypeMap::minimumSizeHint() const { return {160, sizeHint().height()}; }

void DtypeMap::layout()
{
    const Geometry g = geometryFor(width());
    m_cells = QList<QRect>(m_layers.size());
    int y = kMargin;
    for (const Line& line : m_lines) {
        for (int i = 0; i < line.count; ++i) {
            const int x = kMargin + g.labelWidth + (i % g.perLine) * g.cellWidth;
            const int top = y + (i / g.perLine) * kLineHeight + (kLineHeight - kCellHeight) / 2;
            m_cells[line.firstRow + i] = QRect(x, top, g.cellWidth - 1, kCellHeight);
        }
        y += (line.count + g.perLine - 1) / g.perLine * kLineHeight;
    }
    // Wrapping changes the height with the width. A fixed height set here, not height-for-width:
    // layouts honour that only up to the window, not inside the stacked page the map sits in.
    // Until it is shown the map's width is a default; guessing from that would make the window
    // taller than asked for.
    const int h = isVisible() ? g.height : geometryFor(800).height;
    if (h != minimumHeight()) setFixedHeight(h);
}

void DtypeMap::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    layout();
}

void DtypeMap::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    layout();
}

void DtypeMap::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QColor text = palette().color(QPalette::WindowText);
    const QColor outline = palette().color(QPalette::Window).lightness() < 128 ? QColor(245, 245, 245) : QColor(20, 20, 20);
    int bottom = kMargin;
    for (const Line& line : m_lines) {
        const QRect first = m_cells.value(line.firstRow);
        p.setPen(text);
        p.drawText(QRect(kMargin, first.top() - (kLineHeight - kCellHeight) / 2, first.left() - kMargin - 4, kLineHeight),
                   Qt::AlignLeft | Qt::AlignVCenter, line.module);
        for (int r = line.firstRow; r < line.firstRow + line.count; ++r) {
            const QRect c = m_cells[r];
            p.fillRect(c, cellColor(r));
            if (m_layers[r].lowHeadroom()) {
                p.setPen(QPen(outline, 1));
                p.drawRect(c.adjusted(0, 0, -1, -1));
            }
            bottom = std::max(bottom, c.bottom() + 1);
        }
    }
    if (const QRect s = cellRect(m_selected); !s.isEmpty()) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2));
        p.drawRect(s.adjusted(-1, -2, 1, 2));
    }
    drawLegend(p, bottom + (kLineHeight - kCellHeight) / 2 + kMargin);
}

QList<DtypeMap::LegendItem> DtypeMap::legend() const
{
    return {{kFp32, false, tr("fp32")},
            {kFp16, false, tr("fp16/tf32")},
            {kBf16, false, tr("bf16")},
            {kOther, false, tr("mixed / unknown")},
            {kNonfinite, false, tr("NaN / Inf")},
            {palette().color(QPalette::Window), true, tr("< 1 bit fp16 headroom")},
            {kFp16.lighter(140), false, tr("pale: dtype only (< 1000 values)")}};
}

// Lays the legend out in lines that fit the width; calls place(item, x, line) when given.
int DtypeMap::legendLines(int width, const std::function<void(const LegendItem&, int, int)>& place) const
{
    const QFontMetrics fm(font());
    int x = kMargin, line = 0;
    for (const LegendItem& item : legend()) {
        const int w = kSwatch + 4 + fm.horizontalAdvance(item.label);
        if (x > kMargin && x + w > width - kMargin) {
            x = kMargin;
            ++line;
        }
        if (place) place(item, x, line);
        x += w + 14;
    }
    return line + 1;
}

void DtypeMap::drawLegend(QPainter& p, int top) const
{
    const QFontMetrics fm(font());
    const QColor text = palette().color(QPalette::WindowText);
    legendLines(width(), [&](const LegendItem& item, int x, int line) {
        const int y = top + line * (fm.height() + 2);
        const QRect box(x, y + (fm.height() - kSwatch) / 2, kSwatch, kSwatch);
        p.fillRect(box, item.fill);
        p.setPen(text);
        if (item.outlined) p.drawRect(box.adjusted(0, 0, -1, -1));
        p.drawText(QPoint(x + kSwatch + 4, y + fm.ascent()), item.label);
    });
}

void DtypeMap::setSelectedRow(int row)
{
    if (row == m_selected) return;
    m_selected = row >= 0 && row < m_layers.size() ? row : -1;
    update();
}

void DtypeMap::mouseMoveEvent(QMouseEvent* event)
{
    const int row = rowAt(event->position().toPoint());
    if (row == m_hovered) return;
    m_hovered = row;
    if (row < 0)
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), cellToolTip(row), this, cellRect(row));
}

void DtypeMap::mousePressEvent(QMouseEvent* event)
{
    const int row = event->button() == Qt::LeftButton ? rowAt(event->position().toPoint()) : -1;
    if (row < 0) return QWidget::mousePressEvent(event);
    setSelectedRow(row);
    Q_EMIT layerClicked(row);
}

}  // namespace studio::ui
