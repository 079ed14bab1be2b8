#include "studio/ui/PixelReadout.h"

#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>

#include <algorithm>
#include <cmath>

namespace studio::ui {

namespace {

constexpr int kSwatch = 14;

QString joinFloats(const PixelValue& p, bool signedValues)
{
    QStringList parts;
    for (int c = 0; c < p.channels; ++c) {
        const float v = p.v[static_cast<size_t>(c)];
        QString s = formatFloat(v, 4);
        if (signedValues && std::isfinite(v) && v >= 0) s.prepend(QLatin1Char('+'));
        parts << s.rightJustified(signedValues ? 7 : 6);
    }
    return parts.join(QStringLiteral("  "));
}

QString joinBytes(const PixelValue& p)
{
    QStringList parts;
    for (int c = 0; c < p.channels; ++c) parts << QString::number(toByte(p.v[static_cast<size_t>(c)])).rightJustified(3);
    return parts.join(QLatin1Char(' '));
}

QString swatchStyle(const PixelValue& p)
{
    if (!p.valid) return QStringLiteral("border: 1px solid palette(mid);");
    const bool finite = std::all_of(p.v.begin(), p.v.begin() + p.channels, [](float v) { return std::isfinite(v); });
    const QColor c = !finite ? QColor::fromRgb(kNanColor)
                   : p.channels >= 3 ? QColor(toByte(p.v[0]), toByte(p.v[1]), toByte(p.v[2]))
                                     : QColor(toByte(p.v[0]), toByte(p.v[0]), toByte(p.v[0]));
    return QStringLiteral("background: %1; border: 1px solid palette(mid);").arg(c.name());
}

}  // namespace

PixelReadout::PixelReadout(QWidget* parent) : QWidget(parent)
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(6, 4, 6, 4);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);

    m_position = new QLabel(this);
    m_position->setFont(mono);
    m_position->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(m_position, 0, 0, 1, 4);
    auto* floatHead = new QLabel(tr("R, G, B (float)"), this);
    auto* byteHead = new QLabel(tr("8-bit"), this);
    for (QLabel* h : {floatHead, byteHead}) h->setForegroundRole(QPalette::PlaceholderText);
    grid->addWidget(floatHead, 1, 2);
    grid->addWidget(byteHead, 1, 3);

    for (int r = 0; r < 3; ++r) {
        m_names[r] = new QLabel(this);
        m_swatches[r] = new QLabel(this);
        m_swatches[r]->setFixedSize(kSwatch, kSwatch);
        m_floats[r] = new QLabel(this);
        m_bytes[r] = new QLabel(this);
        for (QLabel* l : {m_floats[r], m_bytes[r]}) {
            l->setFont(mono);
            l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        }
        grid->addWidget(m_swatches[r], r + 2, 0);
        grid->addWidget(m_names[r], r + 2, 1);
        grid->addWidget(m_floats[r], r + 2, 2);
        grid->addWidget(m_bytes[r], r + 2, 3);
    }
    m_swatches[RowDiff]->setFixedWidth(0);
    grid->setColumnStretch(2, 1);
    setLabels(QStringLiteral("A"), QStringLiteral("B"));
}

void PixelReadout::setImages(ImagePtr a, ImagePtr b)
{
    m_a = std::move(a);
    m_b = std::move(b);
    refresh();
}

void PixelReadout::setLabels(const QString& a, const QString& b)
{
    m_names[RowA]->setText(a);
    m_names[RowB]->setText(b);
    m_names[RowDiff]->setText(tr("A − B"));
    m_names[RowA]->setToolTip(a);
    m_names[RowB]->setToolTip(b);
    refresh();
}

void PixelReadout::setPixel(const QPoint& pixel)
{
    m_pixel = pixel;
    refresh();
}

QString PixelReadout::positionText() const { return m_position->text(); }
QString PixelReadout::floatText(Row row) const { return m_floats[row]->text(); }
QString PixelReadout::byteText(Row row) const { return m_bytes[row]->text(); }

void PixelReadout::refresh()
{
    const PixelValue a = valueA(), b = valueB();
    const QString none = QStringLiteral("—");
    m_position->setText(a.valid || b.valid ? tr("x %1   y %2").arg(m_pixel.x()).arg(m_pixel.y())
                                           : tr("x —   y —"));
    const PixelValue rows[2] = {a, b};
    for (int r = 0; r < 2; ++r) {
        m_floats[r]->setText(rows[r].valid ? joinFloats(rows[r], false) : none);
        m_bytes[r]->setText(rows[r].valid ? joinBytes(rows[r]) : none);
        m_swatches[r]->setStyleSheet(swatchStyle(rows[r]));
    }
    if (a.valid && b.valid && a.channels == b.channels) {
        PixelValue d = a;
        QStringList bytes;
        for (int c = 0; c < a.channels; ++c) {
            const auto i = static_cast<size_t>(c);
            d.v[i] = a.v[i] - b.v[i];
            const int db = toByte(a.v[i]) - toByte(b.v[i]);
            bytes << (db > 0 ? QStringLiteral("+%1").arg(db) : QString::number(db)).rightJustified(3);
        }
        m_floats[RowDiff]->setText(joinFloats(d, true));
        m_bytes[RowDiff]->setText(bytes.join(QLatin1Char(' ')));
    } else {
        m_floats[RowDiff]->setText(none);
        m_bytes[RowDiff]->setText(none);
    }
}

}  // namespace studio::ui
