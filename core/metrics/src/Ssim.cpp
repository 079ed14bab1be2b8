// Mean SSIM with a separable Gaussian window over the "valid" region, as in Wang et al.'s
// reference implementation (no padding, so borders do not bias the score).
#include <algorithm>
#include <cmath>
#include <vector>

#include "MetricsInternal.h"
#include "studio/Metrics.h"

namespace studio {
namespace {

constexpr double kSigma = 1.5;
constexpr int kMaxRadius = 5;  // 11x11 window
constexpr double kC1 = 0.01 * 0.01;
constexpr double kC2 = 0.03 * 0.03;

std::vector<double> gaussian_weights(int radius) {
    std::vector<double> w(2 * radius + 1);
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) sum += w[i + radius] = std::exp(-(i * i) / (2 * kSigma * kSigma));
    for (double& v : w) v /= sum;
    return w;
}

// Mean SSIM of one channel; pa/pb are the region's planes (width x height, row-major).
// Loops run tap-outer / pixel-inner so that the compiler vectorises them.
double ssim_plane(const std::vector<double>& pa, const std::vector<double>& pb, int width, int height,
                  const std::vector<double>& g) {
    const int taps = static_cast<int>(g.size()), radius = taps / 2;
    const int ow = width - 2 * radius, oh = height - 2 * radius;
    const size_t hsize = static_cast<size_t>(height) * ow;
    // Horizontal pass: windowed sums of a, b, a^2, b^2, ab for every row.
    std::vector<double> ha(hsize, 0.0), hb(hsize, 0.0), haa(hsize, 0.0), hbb(hsize, 0.0), hab(hsize, 0.0);
    std::vector<double> aa(width), bb(width), ab(width);
    for (int y = 0; y < height; ++y) {
        const double* ra = &pa[static_cast<size_t>(y) * width];
        const double* rb = &pb[static_cast<size_t>(y) * width];
        for (int x = 0; x < width; ++x) aa[x] = ra[x] * ra[x], bb[x] = rb[x] * rb[x], ab[x] = ra[x] * rb[x];
        const size_t row = static_cast<size_t>(y) * ow;
        for (int k = 0; k < taps; ++k) {
            const double w = g[k];
            for (int x = 0; x < ow; ++x) {
                ha[row + x] += w * ra[x + k];
                hb[row + x] += w * rb[x + k];
                haa[row + x] += w * aa[x + k];
                hbb[row + x] += w * bb[x + k];
                hab[row + x] += w * ab[x + k];
            }
        }
    }
    // Vertical pass per output row, then the SSIM map averaged on the fly.
    std::vector<double> ma(ow), mb(ow), maa(ow), mbb(ow), mab(ow);
    double total = 0;
    for (int y = 0; y < oh; ++y) {
        std::fill(ma.begin(), ma.end(), 0.0), std::fill(mb.begin(), mb.end(), 0.0);
        std::fill(maa.begin(), maa.end(), 0.0), std::fill(mbb.begin(), mbb.end(), 0.0);
        std::fill(mab.begin(), mab.end(), 0.0);
        for (int k = 0; k < taps; ++k) {
            const double w = g[k];
            const size_t row = (static_cast<size_t>(y) + k) * ow;
            for (int x = 0; x < ow; ++x) {
                ma[x] += w * ha[row + x];
                mb[x] += w * hb[row + x];
                maa[x] += w * haa[row + x];
                mbb[x] += w * hbb[row + x];
                mab[x] += w * hab[row + x];
            }
        }
        for (int x = 0; x < ow; ++x) {
            const double var_a = maa[x] - ma[x] * ma[x], var_b = mbb[x] - mb[x] * mb[x];
            const double cov = mab[x] - ma[x] * mb[x];
            total += ((2 * ma[x] * mb[x] + kC1) * (2 * cov + kC2)) /
                     ((ma[x] * ma[x] + mb[x] * mb[x] + kC1) * (var_a + var_b + kC2));
        }
    }
    return total / (static_cast<double>(ow) * oh);
}

}  // namespace

double ssim(const ImageF& a, const ImageF& b, const PixelRect* roi) {
    detail::require_same_shape(a, b, "ssim");
    const PixelRect r = detail::clip_region(a, roi);
    if (r.empty()) return 1.0;
    const int radius = std::min(kMaxRadius, (std::min(r.width, r.height) - 1) / 2);
    const auto g = gaussian_weights(radius);

    // Pixels that are non-finite in either image are zeroed in both (they then agree).
    std::vector<char> valid(static_cast<size_t>(r.width) * r.height);
    bool any_valid = false;
    for (int y = 0; y < r.height; ++y)
        for (int x = 0; x < r.width; ++x) {
            const bool ok = detail::pixel_finite(a, b, r.x + x, r.y + y);
            valid[static_cast<size_t>(y) * r.width + x] = ok;
            any_valid = any_valid || ok;
        }
    if (!any_valid) return std::numeric_limits<double>::quiet_NaN();

    std::vector<double> pa(valid.size()), pb(valid.size());
    double total = 0;
    for (int c = 0; c < a.channels; ++c) {
        for (int y = 0; y < r.height; ++y)
            for (int x = 0; x < r.width; ++x) {
                const size_t i = static_cast<size_t>(y) * r.width + x;
                pa[i] = valid[i] ? a.at(r.x + x, r.y + y, c) : 0.0;
                pb[i] = valid[i] ? b.at(r.x + x, r.y + y, c) : 0.0;
            }
        total += ssim_plane(pa, pb, r.width, r.height, g);
    }
    return total / a.channels;
}

}  // namespace studio
