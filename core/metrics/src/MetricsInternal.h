#pragma once
// Helpers shared by the metrics sources (not installed, not part of the API).
#include <algorithm>
#include <cmath>
#include <string>

#include "studio/Errors.h"
#include "studio/Image.h"

namespace studio::detail {

inline void require_valid(const ImageF& img, const char* what) {
    if (img.width < 0 || img.height < 0 || img.channels < 1 || img.pixels.size() != img.index(0, img.height))
        throw StudioError(std::string(what) + ": malformed image (" + std::to_string(img.width) + "x" +
                          std::to_string(img.height) + "x" + std::to_string(img.channels) + ", " +
                          std::to_string(img.pixels.size()) + " values)");
}

inline void require_same_shape(const ImageF& a, const ImageF& b, const char* what) {
    if (a.width != b.width || a.height != b.height || a.channels != b.channels)
        throw StudioError(std::string(what) + ": images differ in size (" + std::to_string(a.width) + "x" +
                          std::to_string(a.height) + "x" + std::to_string(a.channels) + " vs " +
                          std::to_string(b.width) + "x" + std::to_string(b.height) + "x" +
                          std::to_string(b.channels) + ")");
    require_valid(a, what);
    require_valid(b, what);
}

// The region of interest clipped to the image; the whole image when roi is null.
inline PixelRect clip_region(const ImageF& img, const PixelRect* roi) {
    if (!roi) return {0, 0, img.width, img.height};
    // 64-bit arithmetic so that huge or negative rectangles cannot overflow.
    const long long x0 = std::max<long long>(roi->x, 0), y0 = std::max<long long>(roi->y, 0);
    const long long x1 = std::min<long long>(static_cast<long long>(roi->x) + roi->width, img.width);
    const long long y1 = std::min<long long>(static_cast<long long>(roi->y) + roi->height, img.height);
    if (x1 <= x0 || y1 <= y0) return {0, 0, 0, 0};
    return {static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0), static_cast<int>(y1 - y0)};
}

// True when every channel of pixel (x, y) is finite in both images.
inline bool pixel_finite(const ImageF& a, const ImageF& b, int x, int y) {
    const float* pa = &a.pixels[a.index(x, y)];
    const float* pb = &b.pixels[b.index(x, y)];
    for (int c = 0; c < a.channels; ++c)
        if (!std::isfinite(pa[c]) || !std::isfinite(pb[c])) return false;
    return true;
}

}  // namespace studio::detail
