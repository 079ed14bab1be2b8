// compare_images / ssim / abs_difference on synthetic images with known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "studio/Errors.h"
#include "studio/Metrics.h"

using namespace studio;

namespace {

ImageF noise_image(int w, int h, unsigned seed, int channels = 3) {
    ImageF img(w, h, channels);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    for (float& v : img.pixels) v = dist(rng);
    return img;
}

ImageF offset(const ImageF& img, float delta) {
    ImageF out = img;
    for (float& v : out.pixels) v += delta;
    return out;
}

}  // namespace

TEST(CompareImages, IdenticalImagesArePerfect) {
    const ImageF a = noise_image(40, 30, 1);
    const DiffMetrics m = compare_images(a, a);
    EXPECT_TRUE(std::isinf(m.psnr) && m.psnr > 0);
    EXPECT_DOUBLE_EQ(m.ssim, 1.0);
    EXPECT_EQ(m.max_abs, 0.0);
    EXPECT_EQ(m.mean_abs, 0.0);
    EXPECT_EQ(m.rmse, 0.0);
    EXPECT_EQ(m.fraction_over, 0.0);
    EXPECT_EQ(m.pixels, 40 * 30);
    EXPECT_EQ(m.nonfinite, 0);
}

TEST(CompareImages, ConstantOffsetGivesTwentyDecibels) {
    const ImageF a(32, 32, 3, 0.25f);
    const ImageF b = offset(a, 0.1f);
    const DiffMetrics m = compare_images(a, b);
    EXPECT_NEAR(m.psnr, 20.0, 1e-5);  // mse = 0.01 -> 10 log10(100)
    EXPECT_NEAR(m.mean_abs, 0.1, 1e-6);
    EXPECT_NEAR(m.rmse, 0.1, 1e-6);
    EXPECT_NEAR(m.max_abs, 0.1, 1e-6);
    EXPECT_DOUBLE_EQ(m.fraction_over, 1.0);
    // Flat images: SSIM reduces to the luminance term (2*0.25*0.35 + C1) / (0.25^2 + 0.35^2 + C1).
    const double c1 = 1e-4;
    EXPECT_NEAR(m.ssim, (2 * 0.25 * 0.35 + c1) / (0.25 * 0.25 + 0.35 * 0.35 + c1), 1e-5);
}

TEST(CompareImages, SingleChangedPixelIsLocated) {
    const ImageF a = noise_image(50, 20, 2);
    ImageF b = a;
    b.at(37, 13, 1) += 0.5f;
    const DiffMetrics m = compare_images(a, b);
    EXPECT_EQ(m.max_x, 37);
    EXPECT_EQ(m.max_y, 13);
    EXPECT_NEAR(m.max_abs, 0.5, 1e-6);
    EXPECT_NEAR(m.mean_abs, 0.5 / (50 * 20 * 3), 1e-9);
    EXPECT_NEAR(m.fraction_over, 1.0 / (50 * 20), 1e-12);
    EXPECT_NEAR(m.psnr, 10 * std::log10(50.0 * 20 * 3 / 0.25), 1e-4);
    EXPECT_LT(m.ssim, 1.0);
    EXPECT_GT(m.ssim, 0.99);
}

TEST(CompareImages, RoiRestrictsAndIsClipped) {
    const ImageF a(64, 48, 3, 0.5f);
    ImageF b = a;
    b.at(5, 5, 0) = 1.0f;   // outside the ROI
    b.at(40, 30, 2) = 0.6f; // inside
    const PixelRect roi{32, 24, 100, 100};  // clipped to 32x24
    const DiffMetrics m = compare_images(a, b, 1.0 / 255, &roi);
    EXPECT_EQ(m.pixels, 32 * 24);
    EXPECT_EQ(m.max_x, 40);
    EXPECT_EQ(m.max_y, 30);
    EXPECT_NEAR(m.max_abs, 0.1, 1e-6);
    EXPECT_NEAR(m.fraction_over, 1.0 / (32 * 24), 1e-12);

    const PixelRect clean{0, 24, 32, 24};
    EXPECT_TRUE(std::isinf(compare_images(a, b, 1.0 / 255, &clean).psnr));
    EXPECT_DOUBLE_EQ(ssim(a, b, &clean), 1.0);

    const PixelRect outside{100, 100, 10, 10};
    const DiffMetrics none = compare_images(a, b, 1.0 / 255, &outside);
    EXPECT_EQ(none.pixels, 0);
    EXPECT_TRUE(std::isinf(none.psnr));
}

TEST(CompareImages, ThresholdFraction) {
    ImageF a(10, 10, 3, 0.0f), b(10, 10, 3, 0.0f);
    // Row y gets a difference of y/100 in the green channel only: rows 0..9 -> 0 .. 0.09.
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 10; ++x) b.at(x, y, 1) = y / 100.0f;
    EXPECT_NEAR(compare_images(a, b, 0.045).fraction_over, 0.5, 1e-12);   // rows 5..9
    EXPECT_NEAR(compare_images(a, b, 0.085).fraction_over, 0.1, 1e-12);   // row 9
    EXPECT_NEAR(compare_images(a, b, 0.5).fraction_over, 0.0, 1e-12);
    EXPECT_DOUBLE_EQ(compare_images(a, b, 0.045).threshold, 0.045);
}

TEST(CompareImages, NonFinitePixelsAreCountedAndExcluded) {
    const ImageF a(8, 8, 3, 0.5f);
    ImageF b = offset(a, 0.1f);
    b.at(1, 1, 0) = std::numeric_limits<float>::quiet_NaN();
    b.at(2, 2, 2) = std::numeric_limits<float>::infinity();
    const DiffMetrics m = compare_images(a, b);
    EXPECT_EQ(m.nonfinite, 2);
    EXPECT_EQ(m.pixels, 64);
    EXPECT_NEAR(m.mean_abs, 0.1, 1e-6);
    EXPECT_NEAR(m.psnr, 20.0, 1e-4);
    EXPECT_TRUE(std::isfinite(m.ssim));

    ImageF all_nan(8, 8, 3, std::numeric_limits<float>::quiet_NaN());
    const DiffMetrics bad = compare_images(a, all_nan);
    EXPECT_EQ(bad.nonfinite, 64);
    EXPECT_TRUE(std::isnan(bad.psnr));
}

TEST(CompareImages, SizeMismatchThrows) {
    EXPECT_THROW(compare_images(ImageF(4, 4), ImageF(4, 5)), StudioError);
    EXPECT_THROW(compare_images(ImageF(4, 4, 3), ImageF(4, 4, 1)), StudioError);
    EXPECT_THROW(ssim(ImageF(4, 4), ImageF(5, 4)), StudioError);
    EXPECT_THROW(abs_difference(ImageF(4, 4), ImageF(5, 4)), StudioError);
    ImageF broken(4, 4);
    broken.pixels.resize(7);
    EXPECT_THROW(compare_images(broken, broken), StudioError);
}

TEST(Ssim, KnownProperties) {
    const ImageF a = noise_image(64, 64, 3);
    const ImageF b = noise_image(64, 64, 4);
    const double s_ab = ssim(a, b), s_ba = ssim(b, a);
    EXPECT_NEAR(s_ab, s_ba, 1e-12);  // symmetric
    EXPECT_LT(s_ab, 0.1);            // independent noise is structurally unrelated
    EXPECT_GT(s_ab, -0.1);

    // A constant offset keeps variance and covariance: only the luminance term drops.
    const double s_off = ssim(a, offset(a, 0.05f));
    EXPECT_LT(s_off, 1.0);
    EXPECT_GT(s_off, 0.97);

    // More noise -> lower SSIM.
    ImageF n1 = a, n2 = a;
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        const float e = noise(rng);
        n1.pixels[i] += 0.02f * e;
        n2.pixels[i] += 0.1f * e;
    }
    EXPECT_GT(ssim(a, n1), ssim(a, n2));

    // Inverted structure gives negative SSIM.
    ImageF inv = a;
    for (float& v : inv.pixels) v = 1.0f - v;
    EXPECT_LT(ssim(a, inv), -0.5);
}

TEST(Ssim, TinyRegionsUseASmallerWindow) {
    const ImageF a = noise_image(5, 3, 6, 1);
    EXPECT_DOUBLE_EQ(ssim(a, a), 1.0);
    const ImageF flat(1, 1, 1, 0.5f), flat2(1, 1, 1, 0.7f);
    const double c1 = 1e-4;
    EXPECT_NEAR(ssim(flat, flat2), (2 * 0.5 * 0.7 + c1) / (0.25 + 0.49 + c1), 1e-6);
}

TEST(AbsDifference, PerChannel) {
    ImageF a(2, 1, 3, 0.2f), b(2, 1, 3, 0.2f);
    b.at(1, 0, 2) = 0.7f;
    a.at(0, 0, 0) = 0.9f;
    const ImageF d = abs_difference(a, b);
    ASSERT_EQ(d.width, 2);
    ASSERT_EQ(d.channels, 3);
    EXPECT_NEAR(d.at(1, 0, 2), 0.5f, 1e-6);
    EXPECT_NEAR(d.at(0, 0, 0), 0.7f, 1e-6);
    EXPECT_EQ(d.at(1, 0, 0), 0.0f);
}
