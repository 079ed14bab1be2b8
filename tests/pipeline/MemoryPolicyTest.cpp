// The memory policy a run applies: asked policies as asked (GPU-only ones fall back to keep on the
// CPU), auto by what the device can hold — resident, the text encoders released, or the layers
// streamed when even the larger half does not fit.
#include <gtest/gtest.h>

#include "studio/RequestCheck.h"

using namespace studio;

namespace {
constexpr int64_t GiB = int64_t{1} << 30;

// A full-size bf16 run, roughly: text encoders 9 GiB, transformer + VAE 7 GiB, activations 2 GiB.
MemoryEstimate full_bf16() {
    MemoryEstimate m;
    m.text_weights = 9 * GiB;
    m.weights = 16 * GiB;
    m.dit = GiB;
    m.vae_decode = GiB;
    return m;
}
}  // namespace

TEST(MemoryPolicy, AutoFollowsWhatTheDeviceHolds) {
    const auto need = full_bf16();
    EXPECT_EQ(need.larger_half(), 9 * GiB);
    std::string why;
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 80 * GiB, why), MemoryPolicy::Keep);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 16 * GiB, why), MemoryPolicy::Release);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 8 * GiB, why), MemoryPolicy::Sequential);
    EXPECT_NE(why.find("even the larger half needs about 9.0 GiB"), std::string::npos) << why;
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, -1, why), MemoryPolicy::Release);
    EXPECT_NE(why.find("unknown"), std::string::npos);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, false, need, -1, why), MemoryPolicy::Keep);
}

TEST(MemoryPolicy, AskedPoliciesApplyAndGpuOnlyOnesSayWhyNotOnTheCpu) {
    const auto need = full_bf16();
    std::string why;
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Release, false, need, -1, why), MemoryPolicy::Release);
    EXPECT_EQ(why, "asked");
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Keep, true, need, 8 * GiB, why), MemoryPolicy::Keep);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Sequential, true, need, 80 * GiB, why), MemoryPolicy::Sequential);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Offload, true, need, 80 * GiB, why), MemoryPolicy::Offload);
    for (auto p : {MemoryPolicy::Offload, MemoryPolicy::Sequential}) {
        EXPECT_EQ(choose_memory_policy(p, false, need, -1, why), MemoryPolicy::Keep);
        EXPECT_NE(why.find("the run is on the CPU"), std::string::npos) << why;
    }
}
