// The transformer on CUDA (skipped where no GPU is visible): fixture accuracy in fp32 / tf32 and
// native bf16 / fp16, a sampler run, and (with STUDIO_DIT_BENCH=1) a real-size timing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "DitTestSupport.h"
#include "studio/dit/FlowSampler.h"
#include "studio/dit/NextDiT.h"

using namespace studio;
using namespace studio::test;

namespace {

#define STUDIO_REQUIRE_CUDA() \
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device"

}  // namespace

TEST(DitCuda, FixtureAccuracyPerPrecision) {
    STUDIO_REQUIRE_CUDA();
    STUDIO_REQUIRE_FIXTURE(dit_dir() / "inputs.safetensors");
    auto in = load_tensors(dit_dir() / "inputs.safetensors");
    const auto expected = load_tensors(dit_dir() / "expected.safetensors").at("velocity");
    for (const auto& [p, bound] : {std::pair{Precision::FP32, 1e-4}, std::pair{Precision::TF32, 1e-2},
                                   std::pair{Precision::BF16, 0.1}, std::pair{Precision::FP16, 0.05}}) {
        const auto nx = Numerics::make(p, torch::kCUDA);
        auto m = load_dit(transformer_component("transformer"), nx);
        EXPECT_EQ(m->x_embedder->weight.device().type(), torch::kCUDA);
        EXPECT_EQ(m->x_embedder->weight.scalar_type(), nx.compute());
        const auto v = m->forward(in["x"], in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]);
        EXPECT_EQ(v.scalar_type(), nx.compute());
        ASSERT_TRUE(torch::isfinite(v).all().item<bool>());
        const double err = rel_err(v, expected);
        std::printf("[dit cuda] velocity %-12s rel err %.3e (bound %.0e)\n", nx.label().c_str(), err, bound);
        EXPECT_LE(err, bound);
    }
}

TEST(DitCuda, MidpointSamplerMatchesTheFixture) {
    STUDIO_REQUIRE_CUDA();
    STUDIO_REQUIRE_FIXTURE(sampler_dir() / "expected.safetensors");
    auto in = load_tensors(sampler_dir() / "inputs.safetensors");
    const auto expected = load_tensors(sampler_dir() / "expected.safetensors");
    const std::string name = "midpoint_cfg4_notrunc_renorm1";
    auto m = load_dit(transformer_component("transformer"), Numerics::make(Precision::FP32, torch::kCUDA));
    const CfgOptions cfg{4.0, 100.0, 1.0};
    const auto f = [&](const torch::Tensor& x, double t) {
        return forward_with_cfg(m, x, t, in["cap_feats"], in["cap_mask"], in["clip_text_pooled"], cfg);
    };
    const int steps = static_cast<int>(expected.at(name + "__t_grid").numel()) - 1;
    const auto x = sample_flow(f, in["z0"].repeat({2, 1, 1, 1}).cuda(), official_time_grid(steps, 6.0), FlowSolver::Midpoint);
    const double err = rel_err(x.narrow(0, 0, 1), expected.at(name + "__final"));
    std::printf("[dit cuda] %s final rel err %.3e\n", name.c_str(), err);
    EXPECT_LE(err, 1e-4);
}

// The real model's size (random weights made on the GPU), one 1024x1024 CFG batch. Captions of
// different lengths need a key mask in the joint sequence; equal lengths need none.
TEST(DitCuda, RealSizeForwardTiming) {
    STUDIO_REQUIRE_CUDA();
    if (!std::getenv("STUDIO_DIT_BENCH")) GTEST_SKIP() << "set STUDIO_DIT_BENCH=1";
    const DitConfig config;  // the defaults are NewBie-image-Exp0.1's transformer
    const int64_t L = 512, B = 2;
    torch::manual_seed(0);
    for (auto p : {Precision::BF16, Precision::FP16, Precision::TF32}) {
        const auto nx = Numerics::make(p, torch::kCUDA);
        NextDiT m(config, nx);
        {
            torch::NoGradGuard ng;
            for (auto& item : m->named_parameters(true)) {
                const auto& w = item.value();
                auto r = torch::randn(w.sizes(), nx.options());
                r = w.dim() == 2 ? r / std::sqrt(static_cast<double>(w.size(1))) : r * 0.1 + 1.0;
                item.value().set_data(r);
            }
        }
        const auto x = torch::randn({B, config.in_channels, 128, 128}, nx.options());
        const auto t = torch::full({B}, 0.3f);
        const auto cap = torch::randn({B, L, config.cap_feat_dim}, nx.options());
        const auto clip = torch::randn({B, config.clip_text_dim}, nx.options());
        for (const int64_t uncond_len : {int64_t{40}, int64_t{300}}) {
            auto mask = torch::zeros({B, L}, torch::kInt64);
            mask[0].narrow(0, 0, 300).fill_(1);
            mask[1].narrow(0, 0, uncond_len).fill_(1);
            auto v = m->forward(x, t, cap, mask, clip);  // warm-up
            torch::cuda::synchronize();
            const int iters = 3;
            const auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < iters; ++i) v = m->forward(x, t, cap, mask, clip);
            torch::cuda::synchronize();
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / iters;
            std::printf("[dit cuda] real size (%s), B=2, 4096 image + caption 300/%lld tokens: %.1f ms per forward\n",
                        nx.label().c_str(), static_cast<long long>(uncond_len), ms);
            EXPECT_TRUE(torch::isfinite(v).all().item<bool>());
            if (p != Precision::BF16) break;
        }
    }
}
