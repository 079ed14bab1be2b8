// Layout and display conversions shared by the viewers and the exporters.
#include <algorithm>
#include <cmath>

#include "MetricsInternal.h"
#include "studio/Metrics.h"

namespace studio {
namespace {

// Interleaved RGB quantised to [0, max_value]; non-finite pixels become magenta.
template <typename T>
std::vector<T> to_rgb(const ImageF& img, double max_value) {
    detail::require_valid(img, "image conversion");
    std::vector<T> out(static_cast<size_t>(img.width) * img.height * 3);
    const T top = static_cast<T>(max_value);
    const int shown = img.channels >= 3 ? 3 : 1;  // grey (+ alpha) shows channel 0 only
    for (size_t p = 0, n = static_cast<size_t>(img.width) * img.height; p < n; ++p) {
        const float* src = &img.pixels[p * img.channels];
        T* dst = &out[p * 3];
        bool finite = true;
        for (int c = 0; c < shown; ++c) finite = finite && std::isfinite(src[c]);
        if (!finite) {
            dst[0] = top, dst[1] = 0, dst[2] = top;
            continue;
        }
        for (int c = 0; c < 3; ++c) {
            const double v = std::clamp(static_cast<double>(src[shown == 3 ? c : 0]), 0.0, 1.0);
            dst[c] = static_cast<T>(std::lround(v * max_value));
        }
    }
    return out;
}

// Channel c of an output with out_channels channels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA).
float channel_value(const ImageF& img, int x, int y, int c, int out_channels) {
    const bool out_alpha = out_channels == 2 || out_channels == 4;
    const bool in_alpha = img.channels == 2 || img.channels == 4;
    if (out_alpha && c == out_channels - 1) return in_alpha ? img.at(x, y, img.channels - 1) : 1.0f;
    const bool in_grey = img.channels <= 2;
    return img.at(x, y, in_grey ? 0 : c);
}

}  // namespace

std::vector<unsigned char> to_rgb8(const ImageF& img) { return to_rgb<unsigned char>(img, 255.0); }

std::vector<uint16_t> to_rgb16(const ImageF& img) { return to_rgb<uint16_t>(img, 65535.0); }

ImageF side_by_side(const std::vector<const ImageF*>& images, int gap, float gap_value) {
    gap = std::max(gap, 0);
    int width = 0, height = 0, channels = 1;
    for (size_t i = 0; i < images.size(); ++i) {
        if (!images[i]) throw StudioError("side_by_side: image " + std::to_string(i) + " is null");
        detail::require_valid(*images[i], "side_by_side");
        if (images[i]->channels > 4) throw StudioError("side_by_side: more than 4 channels are not supported");
        width += images[i]->width + (i > 0 ? gap : 0);
        height = std::max(height, images[i]->height);
        channels = std::max(channels, images[i]->channels);
    }
    if (images.empty()) return {};
    ImageF out(width, height, channels, gap_value);
    if (channels == 2 || channels == 4)  // the gap is opaque
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) out.at(x, y, channels - 1) = 1.0f;
    int x0 = 0;
    for (const ImageF* img : images) {
        for (int y = 0; y < img->height; ++y)
            for (int x = 0; x < img->width; ++x)
                for (int c = 0; c < channels; ++c) out.at(x0 + x, y, c) = channel_value(*img, x, y, c, channels);
        x0 += img->width + gap;
    }
    return out;
}

}  // namespace studio
