#include <gtest/gtest.h>

#include <limits>

#include "studio/Trace.h"

using namespace studio;

namespace {
torch::Device test_device() {
    const char* d = std::getenv("STUDIO_TEST_DEVICE");
    return d && std::string(d) == "cuda" && torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}
}  // namespace

// The uint8 column sums must give the exact count whatever the size: columns full of true values
// (128 each, the most a column holds), a tail shorter than a row, masks smaller than 128 values.
TEST(TraceCounts, CountTrueIsExactForEverySize) {
    for (int64_t n : {0, 1, 127, 128, 129, 1000, 128 * 300 + 17}) {
        auto mask = torch::zeros({n}, torch::kBool);
        if (n > 0) mask.index_put_({torch::arange(0, n, 3)}, true);
        const int64_t expected = mask.to(torch::kInt64).sum().item<int64_t>();
        EXPECT_EQ(count_true(mask.to(test_device())).item<int64_t>(), expected) << "n = " << n;
        EXPECT_EQ(count_true(torch::ones({n}, torch::kBool).to(test_device())).item<int64_t>(), n) << "all true, n = " << n;
    }
}

TEST(TraceCounts, NonfiniteCountsSeparateNanFromInf) {
    auto x = torch::randn({2, 37, 24}, torch::kBFloat16);
    auto flat = x.view({-1});
    const float inf = std::numeric_limits<float>::infinity();
    flat[0] = std::numeric_limits<float>::quiet_NaN();
    flat[500] = std::numeric_limits<float>::quiet_NaN();
    flat[1000] = std::numeric_limits<float>::quiet_NaN();
    flat[5] = inf;
    flat[1775] = -inf;  // in the tail after the last full row
    const auto c = nonfinite_counts(x.to(test_device())).to(torch::kCPU);
    EXPECT_EQ(c[0].item<int64_t>(), 3);
    EXPECT_EQ(c[1].item<int64_t>(), 2);
    EXPECT_EQ(nonfinite_counts(torch::ones({3, 4})).sum().item<int64_t>(), 0);
}
