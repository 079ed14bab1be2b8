#include "studio/ImageVerdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace studio {

namespace {
// Pearson correlation of luminance pairs (a, b) over pairs where both are finite.
double correlation(const std::vector<double>& a, const std::vector<double>& b) {
    double sa = 0, sb = 0, n = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sa += a[i];
        sb += b[i];
        ++n;
    }
    if (n < 2) return 1.0;
    const double ma = sa / n, mb = sb / n;
    double cov = 0, va = 0, vb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        cov += (a[i] - ma) * (b[i] - mb);
        va += (a[i] - ma) * (a[i] - ma);
        vb += (b[i] - mb) * (b[i] - mb);
    }
    if (va <= 0 || vb <= 0) return 1.0;  // a constant image is flat, not noise
    return cov / std::sqrt(va * vb);
}
}  // namespace

std::string ImageVerdict::detail() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "dead %.1f %%, white %.1f %%, non-finite %.1f %%, mean %.3f, std %.4f, corr %.2f",
                  dead_fraction * 100, white_fraction * 100, nonfinite_fraction * 100, mean, stddev, neighbour_correlation);
    return buf;
}

ImageVerdict judge_image(const ImageF& img, const VerdictThresholds& t) {
    ImageVerdict v;
    const int w = img.width, h = img.height, c = img.channels;
    if (img.empty() || w <= 0 || h <= 0) {
        v.code = "image-black";
        v.dead_fraction = 1;
        return v;
    }
    std::vector<double> lum(static_cast<size_t>(w) * h, 0.0);
    std::vector<char> finite(lum.size(), 1);
    int64_t dead = 0, white = 0, nonfinite = 0, nfin = 0;
    double sum = 0, sum2 = 0;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            float lo = 1e30f, hi = -1e30f;
            double mean = 0;
            bool ok = true;
            for (int k = 0; k < c; ++k) {
                const float p = img.at(x, y, k);
                if (!std::isfinite(p)) ok = false;
                lo = std::min(lo, p);
                hi = std::max(hi, p);
                mean += p;
            }
            const size_t i = static_cast<size_t>(y) * w + x;
            if (!ok) {
                ++nonfinite;
                ++dead;
                finite[i] = 0;
                continue;
            }
            dead += hi < t.dark_level;
            white += lo > t.bright_level;
            lum[i] = mean / c;
            sum += lum[i];
            sum2 += lum[i] * lum[i];
            ++nfin;
        }
    const double n = static_cast<double>(lum.size());
    v.dead_fraction = dead / n;
    v.white_fraction = white / n;
    v.nonfinite_fraction = nonfinite / n;
    if (nfin > 0) {
        v.mean = sum / nfin;
        v.stddev = std::sqrt(std::max(0.0, sum2 / nfin - v.mean * v.mean));
    }
    // Lag-1 neighbours (right and below) where both pixels are finite.
    std::vector<double> a, b;
    a.reserve(lum.size() * 2);
    b.reserve(lum.size() * 2);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const size_t i = static_cast<size_t>(y) * w + x;
            if (!finite[i]) continue;
            if (x + 1 < w && finite[i + 1]) a.push_back(lum[i]), b.push_back(lum[i + 1]);
            if (y + 1 < h && finite[i + w]) a.push_back(lum[i]), b.push_back(lum[i + w]);
        }
    v.neighbour_correlation = correlation(a, b);

    if (v.dead_fraction >= t.nearly_all) v.code = "image-black";
    else if (v.white_fraction >= t.nearly_all) v.code = "image-white";
    else if (v.stddev < t.flat_stddev) v.code = "image-flat";
    else if (v.neighbour_correlation < t.noise_correlation && w * h >= 64) v.code = "image-noise";
    else if (v.dead_fraction >= t.partly_black) v.code = "image-partly-black";
    return v;
}

}  // namespace studio
