// Each image verdict fires on the failure it names and stays quiet on a picture with structure.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "studio/ImageVerdict.h"

using namespace studio;

namespace {
// Smooth gradients plus a disc: structure everywhere, no dead region.
ImageF picture(int w = 64, int h = 48) {
    ImageF img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const bool disc = (x - 30) * (x - 30) + (y - 20) * (y - 20) < 100;
            img.at(x, y, 0) = 0.2f + 0.6f * x / w;
            img.at(x, y, 1) = disc ? 0.9f : 0.3f + 0.4f * y / h;
            img.at(x, y, 2) = 0.5f;
        }
    return img;
}
}  // namespace

TEST(ImageVerdict, APictureIsOk) {
    const auto v = judge_image(picture());
    EXPECT_EQ(v.code, "ok") << v.detail();
    EXPECT_GT(v.neighbour_correlation, 0.9);
}

TEST(ImageVerdict, OneBrightPixelDoesNotClearABlackImage) {
    ImageF img(64, 64, 3, 0.0f);
    img.at(10, 10, 0) = 1.0f;  // the old "brightest pixel" rule called this fine
    EXPECT_EQ(judge_image(img).code, "image-black");
}

TEST(ImageVerdict, NaNImageIsBlack) {
    ImageF img(32, 32, 3, std::numeric_limits<float>::quiet_NaN());
    const auto v = judge_image(img);
    EXPECT_EQ(v.code, "image-black");
    EXPECT_DOUBLE_EQ(v.nonfinite_fraction, 1.0);
    EXPECT_TRUE(v.failed());
}

TEST(ImageVerdict, WhiteFlatNoiseAndPartlyBlack) {
    EXPECT_EQ(judge_image(ImageF(32, 32, 3, 1.0f)).code, "image-white");
    EXPECT_EQ(judge_image(ImageF(32, 32, 3, 0.5f)).code, "image-flat");  // grey
    ImageF noise(64, 64, 3);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    for (auto& p : noise.pixels) p = u(rng);
    const auto vn = judge_image(noise);
    EXPECT_EQ(vn.code, "image-noise") << vn.detail();
    EXPECT_FALSE(vn.failed());
    auto half = picture();
    for (int y = 0; y < half.height * 6 / 10; ++y)
        for (int x = 0; x < half.width; ++x)
            for (int k = 0; k < 3; ++k) half.at(x, y, k) = std::numeric_limits<float>::quiet_NaN();
    const auto vh = judge_image(half);
    EXPECT_EQ(vh.code, "image-partly-black") << vh.detail();
    EXPECT_NEAR(vh.nonfinite_fraction, 0.6, 0.02);
}
