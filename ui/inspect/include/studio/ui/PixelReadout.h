#pragma once
// The values under the cursor: x, y, A's and B's channels as float (4 decimals) and 8-bit,
// and A-B per channel. Reads the float images, never the 8-bit display.
#include <QPoint>
#include <QWidget>

#include <array>

#include "studio/ui/ImageConvert.h"

class QLabel;

namespace studio::ui {

class PixelReadout : public QWidget {
    Q_OBJECT
public:
    enum Row { RowA = 0, RowB = 1, RowDiff = 2 };

    explicit PixelReadout(QWidget* parent = nullptr);

    void setImages(ImagePtr a, ImagePtr b);
    void setLabels(const QString& a, const QString& b);
    QPoint pixel() const { return m_pixel; }
    PixelValue valueA() const { return pixelAt(m_a.get(), m_pixel.x(), m_pixel.y()); }
    PixelValue valueB() const { return pixelAt(m_b.get(), m_pixel.x(), m_pixel.y()); }

    // The text shown, for copying and tests.
    QString positionText() const;
    QString floatText(Row row) const;
    QString byteText(Row row) const;

public Q_SLOTS:
    void setPixel(const QPoint& pixel);  // (-1, -1) = none

private:
    void refresh();

    ImagePtr m_a, m_b;
    QPoint m_pixel{-1, -1};
    QLabel* m_position{nullptr};
    std::array<QLabel*, 3> m_names{};
    std::array<QLabel*, 3> m_swatches{};
    std::array<QLabel*, 3> m_floats{};
    std::array<QLabel*, 3> m_bytes{};
};

}  // namespace studio::ui
