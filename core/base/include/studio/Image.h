#pragma once
// A float image as the pipeline produces it: interleaved HWC, values nominally in [0,1]
// (they may be outside, or non-finite, when a run went wrong). Torch-free so ui/ can use it.
#include <cstddef>
#include <vector>

namespace studio {

struct ImageF {
    int width{0};
    int height{0};
    int channels{3};
    std::vector<float> pixels;  // size width*height*channels, row-major, channel-interleaved

    ImageF() = default;
    ImageF(int w, int h, int c = 3, float fill = 0.0f)
        : width(w), height(h), channels(c), pixels(static_cast<size_t>(w) * h * c, fill) {}

    bool empty() const { return pixels.empty(); }
    size_t index(int x, int y, int c = 0) const { return (static_cast<size_t>(y) * width + x) * channels + c; }
    float& at(int x, int y, int c = 0) { return pixels[index(x, y, c)]; }
    float at(int x, int y, int c = 0) const { return pixels[index(x, y, c)]; }
};

// Axis-aligned pixel rectangle (x, y = top-left), used for regions of interest.
struct PixelRect {
    int x{0}, y{0}, width{0}, height{0};
    bool empty() const { return width <= 0 || height <= 0; }
};

}  // namespace studio
