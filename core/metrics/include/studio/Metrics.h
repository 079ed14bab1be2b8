#pragma once
// Pure, torch-free comparison of float images: error statistics, SSIM, difference heatmaps and
// the 8/16-bit conversions that viewers and exporters share. All functions work on the float
// values the pipeline produced (nominally [0,1]); nothing is quantised before measuring.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "studio/Image.h"

namespace studio {

struct DiffMetrics {
    double psnr{0};  // dB for a peak of 1.0; +infinity when the compared pixels are identical
    double ssim{1};
    double max_abs{0};        // largest |a-b| over all channels
    int max_x{0}, max_y{0};   // where it occurs, in image coordinates (first occurrence, row-major)
    double mean_abs{0};       // mean |a-b| over all channels of the compared pixels
    double rmse{0};
    double threshold{1.0 / 255};
    double fraction_over{0};  // fraction of compared pixels whose max channel |a-b| > threshold
    int64_t pixels{0};        // pixels in the (clipped) region, non-finite ones included
    int64_t nonfinite{0};     // pixels with a NaN/Inf in either image; excluded from every statistic
};

// Statistics over the whole image or a region of interest (clipped to the image; an empty region
// gives pixels == 0, psnr == inf, ssim == 1; a region where every pixel is non-finite gives NaN
// statistics). Throws StudioError if the sizes or channel counts differ.
DiffMetrics compare_images(const ImageF& a, const ImageF& b, double threshold = 1.0 / 255,
                           const PixelRect* roi = nullptr);

// Mean SSIM (Wang et al. 2004): Gaussian 11x11 window, sigma 1.5, C1 = 0.01^2, C2 = 0.03^2 for a
// data range of 1, windows fully inside the region ("valid"), averaged over channels. Regions
// smaller than 11 pixels use the largest window that fits. Non-finite pixels are set equal in
// both images so they neither poison nor inflate the score. Throws StudioError on a size mismatch.
double ssim(const ImageF& a, const ImageF& b, const PixelRect* roi = nullptr);

// |a-b| per channel (NaN where either input is NaN). Throws StudioError on a size mismatch.
ImageF abs_difference(const ImageF& a, const ImageF& b);

enum class Colormap { Inferno, Viridis, Turbo, Grayscale };

// max over channels of |a-b|, times gain, clamped to [0,1] and mapped through `map` -> RGB in [0,1].
// Pixels with a non-finite difference are drawn magenta.
ImageF difference_heatmap(const ImageF& a, const ImageF& b, double gain, Colormap map = Colormap::Inferno);

// v is clamped to [0,1]; NaN gives magenta. Matches matplotlib's / Google's tables within 0.003.
std::array<float, 3> colormap_lookup(Colormap map, double v);

// Images laid left to right, top-aligned, separated by `gap` columns of gap_value; shorter images
// are padded with gap_value. Output channels = the most channels among the inputs (1-4; a grey
// input is replicated, a missing alpha is 1). Throws StudioError on a null or malformed entry.
ImageF side_by_side(const std::vector<const ImageF*>& images, int gap = 8, float gap_value = 0.1f);

// Interleaved RGB, rounded and clamped. 1-2 channel images are shown as grey (alpha dropped);
// 4 channels drop alpha. A pixel with any non-finite channel becomes magenta so failures are visible.
std::vector<unsigned char> to_rgb8(const ImageF& img);
std::vector<uint16_t> to_rgb16(const ImageF& img);

}  // namespace studio
