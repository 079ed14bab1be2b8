// Colormaps, heatmaps, side-by-side layout and 8/16-bit conversion.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "studio/Errors.h"
#include "studio/Metrics.h"

using namespace studio;

namespace {

void expect_rgb(const std::array<float, 3>& got, float r, float g, float b, float tol) {
    EXPECT_NEAR(got[0], r, tol);
    EXPECT_NEAR(got[1], g, tol);
    EXPECT_NEAR(got[2], b, tol);
}

double luminance(const std::array<float, 3>& c) { return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; }

}  // namespace

// Reference values: matplotlib's inferno/viridis and Google's turbo 256-entry tables.
TEST(Colormap, EndpointsAndMidpointsMatchPublishedTables) {
    const float tol = 0.003f;
    expect_rgb(colormap_lookup(Colormap::Inferno, 0.0), 0.001462f, 0.000466f, 0.013866f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Inferno, 1.0), 0.988362f, 0.998364f, 0.644924f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Inferno, 0.5), 0.732796f, 0.214332f, 0.332053f, tol);
    expect_rgb(colormap_lookup(Colormap::Inferno, 0.2), 0.258234f, 0.038571f, 0.406485f, tol);
    expect_rgb(colormap_lookup(Colormap::Viridis, 0.0), 0.267004f, 0.004874f, 0.329415f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Viridis, 1.0), 0.993248f, 0.906157f, 0.143936f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Viridis, 0.5), 0.128148f, 0.565107f, 0.550893f, tol);
    expect_rgb(colormap_lookup(Colormap::Turbo, 0.0), 0.18995f, 0.07176f, 0.23217f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Turbo, 1.0), 0.47960f, 0.01583f, 0.01055f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Turbo, 0.5), 0.638425f, 0.99097f, 0.236465f, tol);
    expect_rgb(colormap_lookup(Colormap::Grayscale, 0.25), 0.25f, 0.25f, 0.25f, 0.0f);
}

TEST(Colormap, ClampsAndFlagsNaN) {
    expect_rgb(colormap_lookup(Colormap::Inferno, -3.0), 0.001462f, 0.000466f, 0.013866f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Viridis, 7.0), 0.993248f, 0.906157f, 0.143936f, 1e-4f);
    expect_rgb(colormap_lookup(Colormap::Turbo, std::nan("")), 1.0f, 0.0f, 1.0f, 0.0f);
}

TEST(Colormap, InfernoAndViridisBrightenMonotonically) {
    for (Colormap map : {Colormap::Inferno, Colormap::Viridis}) {
        double prev = -1;
        for (int i = 0; i <= 100; ++i) {
            const double l = luminance(colormap_lookup(map, i / 100.0));
            EXPECT_GT(l, prev) << "at " << i;
            prev = l;
        }
    }
}

TEST(Heatmap, MapsMaxChannelDifferenceTimesGain) {
    ImageF a(3, 2, 3, 0.5f), b = a;
    b.at(1, 0, 2) = 0.75f;  // 0.25 * gain 4 -> 1.0
    b.at(2, 1, 0) = 0.55f;  // 0.05 * 4 = 0.2
    b.at(0, 1, 1) = std::numeric_limits<float>::quiet_NaN();
    const ImageF h = difference_heatmap(a, b, 4.0, Colormap::Inferno);
    ASSERT_EQ(h.width, 3);
    ASSERT_EQ(h.height, 2);
    ASSERT_EQ(h.channels, 3);
    const auto px = [&](int x, int y) { return std::array<float, 3>{h.at(x, y, 0), h.at(x, y, 1), h.at(x, y, 2)}; };
    const auto zero = colormap_lookup(Colormap::Inferno, 0.0), one = colormap_lookup(Colormap::Inferno, 1.0);
    expect_rgb(px(0, 0), zero[0], zero[1], zero[2], 1e-6f);
    expect_rgb(px(1, 0), one[0], one[1], one[2], 1e-6f);
    const auto fifth = colormap_lookup(Colormap::Inferno, 0.2);
    expect_rgb(px(2, 1), fifth[0], fifth[1], fifth[2], 1e-4f);
    expect_rgb(px(0, 1), 1.0f, 0.0f, 1.0f, 0.0f);
    EXPECT_THROW(difference_heatmap(a, ImageF(3, 3), 1.0), StudioError);
}

TEST(SideBySide, LaysOutWithGap) {
    ImageF a(4, 3, 3, 0.2f), b(2, 5, 1, 0.8f);
    const ImageF s = side_by_side({&a, &b}, 2, 0.1f);
    ASSERT_EQ(s.width, 4 + 2 + 2);
    ASSERT_EQ(s.height, 5);
    ASSERT_EQ(s.channels, 3);
    EXPECT_FLOAT_EQ(s.at(0, 0, 0), 0.2f);
    EXPECT_FLOAT_EQ(s.at(4, 0, 1), 0.1f);  // gap
    EXPECT_FLOAT_EQ(s.at(5, 2, 2), 0.1f);  // gap
    EXPECT_FLOAT_EQ(s.at(6, 4, 2), 0.8f);  // grey replicated to blue
    EXPECT_FLOAT_EQ(s.at(1, 4, 0), 0.1f);  // below the shorter image
    EXPECT_EQ(side_by_side({}).width, 0);
    EXPECT_THROW(side_by_side({&a, nullptr}), StudioError);

    ImageF rgba(1, 1, 4, 0.5f);
    const ImageF s2 = side_by_side({&rgba, &a}, 1);
    ASSERT_EQ(s2.channels, 4);
    EXPECT_FLOAT_EQ(s2.at(2, 0, 3), 1.0f);  // RGB input gets an opaque alpha
    EXPECT_FLOAT_EQ(s2.at(0, 0, 3), 0.5f);
}

TEST(ToRgb, RoundsClampsAndShowsNaNAsMagenta) {
    ImageF img(4, 1, 3, 0.0f);
    img.at(0, 0, 0) = 0.5f;     // 127.5 -> 128
    img.at(0, 0, 1) = 1.7f;     // clamp
    img.at(0, 0, 2) = -0.2f;    // clamp
    img.at(1, 0, 1) = std::numeric_limits<float>::quiet_NaN();
    img.at(2, 0, 0) = 1.0f / 255.0f * 3.4f;  // 3.4 -> 3
    const auto rgb = to_rgb8(img);
    ASSERT_EQ(rgb.size(), 12u);
    EXPECT_EQ(rgb[0], 128);
    EXPECT_EQ(rgb[1], 255);
    EXPECT_EQ(rgb[2], 0);
    EXPECT_EQ(rgb[3], 255);
    EXPECT_EQ(rgb[4], 0);
    EXPECT_EQ(rgb[5], 255);
    EXPECT_EQ(rgb[6], 3);

    const auto rgb16 = to_rgb16(img);
    ASSERT_EQ(rgb16.size(), 12u);
    EXPECT_EQ(rgb16[0], 32768);
    EXPECT_EQ(rgb16[1], 65535);
    EXPECT_EQ(rgb16[3], 65535);
    EXPECT_EQ(rgb16[4], 0);

    ImageF grey(1, 1, 1, 0.25f);
    const auto g = to_rgb8(grey);
    ASSERT_EQ(g.size(), 3u);
    EXPECT_EQ(g[0], 64);
    EXPECT_EQ(g[2], 64);
}
