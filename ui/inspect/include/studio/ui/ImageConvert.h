#pragma once
// Conversions between the pipeline's float images and Qt images. The QImage is only for
// display (8 bit); readouts always go back to the float ImageF.
#include <QColor>
#include <QImage>
#include <QString>

#include <array>
#include <memory>

#include "studio/Image.h"

namespace studio::ui {

// Non-finite pixels are magenta, as in studio::to_rgb8, so NaN holes stay visible at any zoom.
inline constexpr QRgb kNanColor = 0xffff00ff;

// 8-bit display image (Format_RGB32). 1 channel = grey, 3 = RGB, 4 = RGBA with alpha ignored.
// Values are clamped to [0,1] and rounded; a pixel with any NaN or infinite channel is kNanColor.
QImage toQImage(const ImageF& img);

// Float image from any QImage: 3 channels (RGB) in [0,1]; alpha is dropped.
ImageF fromQImage(const QImage& img);

// 8-bit value of one float channel, as the display shows it.
int toByte(float v);

// One pixel of a float image, up to 4 channels; valid == false outside the image.
struct PixelValue {
    bool valid{false};
    int channels{0};
    std::array<float, 4> v{};
};
PixelValue pixelAt(const ImageF* img, int x, int y);

// The float image shared between widgets without copying megabytes per view.
using ImagePtr = std::shared_ptr<const ImageF>;
inline ImagePtr shareImage(const ImageF& img) { return img.empty() ? nullptr : std::make_shared<const ImageF>(img); }

// "0.1234" with NaN / inf spelled out.
QString formatFloat(float v, int decimals = 4);

}  // namespace studio::ui
