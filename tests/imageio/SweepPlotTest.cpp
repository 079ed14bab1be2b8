#include <gtest/gtest.h>

#include <cmath>

#include "studio/Errors.h"
#include "studio/SweepPlot.h"

using namespace studio;

namespace {
// Fraction of pixels close to the given colour.
double share_of(const ImageF& img, float r, float g, float b) {
    int64_t n = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            const float* p = &img.pixels[img.index(x, y)];
            if (std::abs(p[0] - r) < 0.02f && std::abs(p[1] - g) < 0.02f && std::abs(p[2] - b) < 0.02f) ++n;
        }
    return static_cast<double>(n) / (static_cast<double>(img.width) * img.height);
}
}  // namespace

TEST(SweepPlot, DrawsBarsHeatMapAndText) {
    PlotBars time{"Time per image", {"fp32", "dit=bf16"}, {"encode", "sample", "decode"}, {{0.1, 2.0, 0.3}, {0.1, 2.6, 0.3}}, "%.2f s"};
    PlotBars psnr{"PSNR", {"dit=bf16"}, {"PSNR"}, {{38.0}}, "%.1f dB"};
    PlotHeatMap heat{"heat", {"dit", "vae"}, {"fp32", "bf16"}, {INFINITY, 38.0, INFINITY, NAN}, "%.1f"};
    const ImageF img = render_sweep_plot({time, psnr}, heat);
    EXPECT_EQ(img.width, 1100);
    EXPECT_GT(img.height, 400);
    EXPECT_GT(share_of(img, 1, 1, 1), 0.5);                 // mostly background
    EXPECT_GT(share_of(img, 0.99f, 0.55f, 0.24f), 0.002);   // the "sample" segments (orange)
    EXPECT_GT(share_of(img, 0.85f, 0.85f, 0.85f), 0.001);   // the heat map's "not run" cell
    EXPECT_GT(share_of(img, 0.1f, 0.1f, 0.1f), 0.0005);     // text was drawn
}

TEST(SweepPlot, MismatchedSizesAreRefused) {
    PlotBars bad{"t", {"a", "b"}, {"x"}, {{1.0}}, "%.1f"};
    EXPECT_THROW(render_sweep_plot({bad}, {}), StudioError);
    PlotHeatMap heat{"h", {"dit"}, {"fp32", "bf16"}, {1.0}, "%.1f"};
    EXPECT_THROW(render_sweep_plot({}, heat), StudioError);
}
