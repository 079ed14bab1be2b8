#pragma once
// Did the decode produce a picture? Verdicts on a float image for the failures precision causes:
// black (NaN / underflow), white (saturation), flat (no contrast), noise (no spatial
// structure) and partly black (a dead region). Torch-free; thresholds are public and documented
// in docs/report-format.md.
#include <string>

#include "studio/Image.h"

namespace studio {

struct VerdictThresholds {
    double dark_level{0.02};          // a pixel is dead when its brightest channel is below this (or non-finite)
    double bright_level{0.98};        // ... saturated white when its darkest channel is above this
    double nearly_all{0.99};          // black / white: at least this fraction of the pixels
    double partly_black{0.5};         // partly black: at least this fraction dead (and not black)
    double flat_stddev{1.0 / 255};    // flat: luminance standard deviation below one 8-bit level
    double noise_correlation{0.2};    // noise: neighbour correlation of luminance below this
};

struct ImageVerdict {
    std::string code{"ok"};   // "ok", "image-black", "image-white", "image-flat", "image-noise", "image-partly-black"
    double dead_fraction{0};       // dark or non-finite pixels
    double white_fraction{0};
    double nonfinite_fraction{0};
    double mean{0}, stddev{0};     // luminance over finite pixels
    double neighbour_correlation{1};  // mean of the horizontal and vertical lag-1 correlations
    bool ok() const { return code == "ok"; }
    // Black, white and flat mean the picture is gone; noise and a dead region are warnings.
    bool failed() const { return code == "image-black" || code == "image-white" || code == "image-flat"; }
    std::string detail() const;  // "dead 100.0 %, white 0.0 %, std 0.000, corr 1.00"
};

ImageVerdict judge_image(const ImageF& image, const VerdictThresholds& t = {});

}  // namespace studio
