#include "studio/Metrics.h"

#include <algorithm>
#include <cmath>

#include "MetricsInternal.h"

namespace studio {

DiffMetrics compare_images(const ImageF& a, const ImageF& b, double threshold, const PixelRect* roi) {
    detail::require_same_shape(a, b, "compare_images");
    const PixelRect r = detail::clip_region(a, roi);
    DiffMetrics m;
    m.threshold = threshold;
    if (r.empty()) {
        m.psnr = std::numeric_limits<double>::infinity();
        return m;
    }
    m.pixels = static_cast<int64_t>(r.width) * r.height;
    m.max_x = r.x;
    m.max_y = r.y;

    double sum_abs = 0, sum_sq = 0;
    int64_t over = 0, finite = 0;
    for (int y = r.y; y < r.y + r.height; ++y) {
        for (int x = r.x; x < r.x + r.width; ++x) {
            if (!detail::pixel_finite(a, b, x, y)) {
                ++m.nonfinite;
                continue;
            }
            ++finite;
            const float* pa = &a.pixels[a.index(x, y)];
            const float* pb = &b.pixels[b.index(x, y)];
            double pixel_max = 0;
            for (int c = 0; c < a.channels; ++c) {
                const double d = std::fabs(static_cast<double>(pa[c]) - static_cast<double>(pb[c]));
                sum_abs += d;
                sum_sq += d * d;
                pixel_max = std::max(pixel_max, d);
            }
            if (pixel_max > m.max_abs) {
                m.max_abs = pixel_max;
                m.max_x = x;
                m.max_y = y;
            }
            if (pixel_max > threshold) ++over;
        }
    }
    if (finite == 0) {  // nothing comparable: the statistics are undefined, not perfect
        m.psnr = m.ssim = m.mean_abs = m.rmse = m.max_abs = std::numeric_limits<double>::quiet_NaN();
        m.fraction_over = std::numeric_limits<double>::quiet_NaN();
        return m;
    }
    const double n = static_cast<double>(finite) * a.channels;
    const double mse = sum_sq / n;
    m.rmse = std::sqrt(mse);
    m.mean_abs = sum_abs / n;
    m.psnr = mse > 0 ? 10.0 * std::log10(1.0 / mse) : std::numeric_limits<double>::infinity();
    m.fraction_over = static_cast<double>(over) / static_cast<double>(finite);
    m.ssim = ssim(a, b, &r);
    return m;
}

ImageF abs_difference(const ImageF& a, const ImageF& b) {
    detail::require_same_shape(a, b, "abs_difference");
    ImageF out(a.width, a.height, a.channels);
    for (size_t i = 0; i < a.pixels.size(); ++i) out.pixels[i] = std::fabs(a.pixels[i] - b.pixels[i]);
    return out;
}

}  // namespace studio
