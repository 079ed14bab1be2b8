#include <gtest/gtest.h>

#include "studio/Numerics.h"

using namespace studio;

TEST(Numerics, AutoEmulatesReducedPrecisionOnCpu) {
    const auto nx = Numerics::make(Precision::BF16, torch::kCPU);
    EXPECT_TRUE(nx.emulated);
    EXPECT_EQ(nx.compute(), torch::kFloat32);
    EXPECT_EQ(nx.storage(), torch::kBFloat16);
    EXPECT_EQ(nx.label(), "bf16 emulated");
    const auto native = Numerics::make(Precision::BF16, torch::kCPU, NumericsMode::Native);
    EXPECT_EQ(native.compute(), torch::kBFloat16);
    EXPECT_EQ(native.label(), "bf16 native");
}

TEST(Numerics, EmulatedRoundingMatchesTheDtype) {
    const auto x = torch::tensor({1.0f + 1.0f / 256.0f, 70000.0f, 1e-3f});
    const auto bf = Numerics::make(Precision::BF16, torch::kCPU).q(x);
    EXPECT_TRUE(torch::equal(bf, x.to(torch::kBFloat16).to(torch::kFloat32)));
    EXPECT_NE(bf[0].item<float>(), x[0].item<float>());  // 1 + 2^-8 is not a bf16 value
    const auto h = Numerics::make(Precision::FP16, torch::kCPU).q(x);
    EXPECT_TRUE(std::isinf(h[1].item<float>()));          // fp16 overflows above 65504, as on a GPU
    const auto f = Numerics::fp32_cpu().q(x);
    EXPECT_TRUE(torch::equal(f, x));
}

TEST(Numerics, AttentionRowWithoutVisibleKeyStaysFinite) {
    torch::manual_seed(0);
    auto q = torch::randn({1, 2, 3, 4}), k = torch::randn({1, 2, 3, 4}), v = torch::randn({1, 2, 3, 4});
    auto mask = torch::ones({1, 1, 3, 3}, torch::kBool);
    mask.index_put_({0, 0, 2}, false);  // query 2 sees nothing
    const auto out = attention(q, k, v, mask, 0.5, Numerics::fp32_cpu());
    EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
    // Visible rows equal a reference softmax attention.
    const auto ref = torch::softmax(torch::matmul(q, k.transpose(-2, -1)) * 0.5, -1).matmul(v);
    EXPECT_TRUE(torch::allclose(out.narrow(2, 0, 2), ref.narrow(2, 0, 2), 1e-5, 1e-6));
}

TEST(Numerics, RmsNormMatchesFormula) {
    torch::manual_seed(1);
    const auto x = torch::randn({2, 8});
    const auto w = torch::randn({8});
    const auto ref = x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-6) * w;
    EXPECT_TRUE(torch::allclose(rms_norm(x, w, 1e-6, Numerics::fp32_cpu()), ref, 1e-5, 1e-6));
    const auto ref1p = x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-6) * (1 + w);
    EXPECT_TRUE(torch::allclose(rms_norm(x, w, 1e-6, Numerics::fp32_cpu(), true), ref1p, 1e-5, 1e-6));
}
