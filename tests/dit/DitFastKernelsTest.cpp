// The fast kernels of the transformer (complex RoPE, one-pass gated
// residuals, fused RMSNorm where libtorch has it) against the plain reference path and the dit/
// fixture. On the CPU the fast path is forced on for the test (it is a CUDA default); with
// STUDIO_TEST_DEVICE=cuda the same checks run on the GPU in every precision.
// Bounds: fp32 fast vs fixture <= 1e-5 relative (plain fp32 reaches ~1e-6); reduced precisions
// within 1.5x the plain path's own error against the fixture (fewer roundings, never more).
#include <gtest/gtest.h>

#include <cstdio>

#include "DitTestSupport.h"
#include "studio/dit/NextDiT.h"

using namespace studio;
using namespace studio::test;

namespace {

struct Run {
    torch::Tensor velocity;
    NextDiT model{nullptr};
};

Run run(Precision p, const torch::Device& dev, bool fast, std::map<std::string, torch::Tensor>& in) {
    Numerics nx = Numerics::make(p, dev, NumericsMode::Native);
    nx.fast_kernels = fast;
    auto m = load_dit(transformer_component("transformer"), nx);
    c10::InferenceMode guard;
    auto v = m->forward(in["x"], in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]).to(torch::kFloat32).cpu();
    return {v, m};
}

}  // namespace

TEST(DitFastKernels, MatchThePlainPathAndTheFixtureInFp32) {
    STUDIO_REQUIRE_FIXTURE(dit_dir() / "inputs.safetensors");
    auto in = load_tensors(dit_dir() / "inputs.safetensors");
    const auto expected = load_tensors(dit_dir() / "expected.safetensors").at("velocity");
    const torch::Device dev(device_name());
    const auto plain = run(Precision::FP32, dev, false, in);
    const auto fast = run(Precision::FP32, dev, true, in);
    const double err_fast = rel_err(fast.velocity, expected), err_plain = rel_err(plain.velocity, expected);
    const double err_between = rel_err(fast.velocity, plain.velocity);
    std::printf("[dit fast] fp32 %s: fast %.3e, plain %.3e vs fixture; fast vs plain %.3e\n", dev.str().c_str(), err_fast,
                err_plain, err_between);
    EXPECT_LE(err_fast, 1e-5);
    EXPECT_LE(err_between, 1e-5);
}

TEST(DitFastKernels, ReducedPrecisionsOnCuda) {
    if (device_name() != "cuda") GTEST_SKIP() << "reduced precisions run natively only on CUDA (STUDIO_TEST_DEVICE=cuda)";
    STUDIO_REQUIRE_FIXTURE(dit_dir() / "inputs.safetensors");
    auto in = load_tensors(dit_dir() / "inputs.safetensors");
    const auto expected = load_tensors(dit_dir() / "expected.safetensors").at("velocity");
    for (auto p : {Precision::TF32, Precision::BF16, Precision::FP16}) {
        const auto plain = run(p, torch::kCUDA, false, in);
        const auto fast = run(p, torch::kCUDA, true, in);
        const double err_fast = rel_err(fast.velocity, expected), err_plain = rel_err(plain.velocity, expected);
        std::printf("[dit fast] %s: fast %.3e, plain %.3e vs fixture\n", to_string(p).c_str(), err_fast, err_plain);
        EXPECT_LE(err_fast, 1.5 * err_plain + 1e-6) << to_string(p);
    }
}
