#include "studio/ui/ImageConvert.h"

#include <algorithm>
#include <cmath>

namespace studio::ui {

int toByte(float v)
{
    if (!(v > 0.0f)) return 0;  // also NaN
    if (v >= 1.0f) return 255;
    return static_cast<int>(std::lround(v * 255.0f));
}

QImage toQImage(const ImageF& img)
{
    if (img.empty() || img.width <= 0 || img.height <= 0 || img.channels <= 0) return {};
    QImage out(img.width, img.height, QImage::Format_RGB32);
    const int c = img.channels;
    for (int y = 0; y < img.height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        const float* src = img.pixels.data() + img.index(0, y);
        for (int x = 0; x < img.width; ++x, src += c) {
            const float r = src[0];
            const float g = c >= 3 ? src[1] : r;
            const float b = c >= 3 ? src[2] : r;
            if (!std::isfinite(r) || !std::isfinite(g) || !std::isfinite(b))
                line[x] = kNanColor;
            else
                line[x] = qRgb(toByte(r), toByte(g), toByte(b));
        }
    }
    return out;
}

ImageF fromQImage(const QImage& img)
{
    if (img.isNull()) return {};
    const QImage rgb = img.convertToFormat(QImage::Format_RGB32);
    ImageF out(rgb.width(), rgb.height(), 3);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            out.at(x, y, 0) = qRed(line[x]) / 255.0f;
            out.at(x, y, 1) = qGreen(line[x]) / 255.0f;
            out.at(x, y, 2) = qBlue(line[x]) / 255.0f;
        }
    }
    return out;
}

PixelValue pixelAt(const ImageF* img, int x, int y)
{
    PixelValue p;
    if (!img || img->empty() || x < 0 || y < 0 || x >= img->width || y >= img->height) return p;
    p.valid = true;
    p.channels = std::min(img->channels, 4);
    for (int c = 0; c < p.channels; ++c) p.v[static_cast<size_t>(c)] = img->at(x, y, c);
    return p;
}

QString formatFloat(float v, int decimals)
{
    if (std::isnan(v)) return QStringLiteral("NaN");
    if (std::isinf(v)) return v > 0 ? QStringLiteral("+inf") : QStringLiteral("-inf");
    return QString::number(static_cast<double>(v), 'f', decimals);
}

}  // namespace studio::ui
