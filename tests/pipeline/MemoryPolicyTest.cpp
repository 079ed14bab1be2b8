// The memory policy a run applies: asked policies as asked (GPU-only ones fall back to keep on the
// CPU), auto by what the device can hold — resident, the text encoder's layers in host memory, the
// text encoders released, or the layers streamed when even the larger half does not fit.
#include <gtest/gtest.h>

#include "studio/RequestCheck.h"

using namespace studio;

namespace {
constexpr int64_t GiB = int64_t{1} << 30;

// A full-size bf16 run, roughly: text encoders 9 GiB (6 GiB of it the text encoder's layers),
// transformer + VAE 7 GiB, activations 2 GiB.
MemoryEstimate full_bf16() {
    MemoryEstimate m;
    m.text_weights = 9 * GiB;
    m.text_block_weights = 6 * GiB;
    m.weights = 16 * GiB;
    m.dit = GiB;
    m.vae_decode = GiB;
    return m;
}
}  // namespace

TEST(MemoryPolicy, AutoFollowsWhatTheDeviceHolds) {
    const auto need = full_bf16();
    std::string why;
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 80 * GiB, why), MemoryPolicy::Keep);
    EXPECT_EQ(need.offloaded(), 12 * GiB);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 16 * GiB, why), MemoryPolicy::Offload);
    EXPECT_NE(why.find("layers stay in host memory (about 12.0 GiB on the device)"), std::string::npos) << why;
    // Release would fit a cold run here, but a warm one reloads the encoders beside the cached
    // transformer: auto streams instead.
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 12 * GiB, why), MemoryPolicy::Sequential);
    EXPECT_NE(why.find("about 12.0 GiB with the text encoder's layers in host memory"), std::string::npos) << why;
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, 8 * GiB, why), MemoryPolicy::Sequential);
    EXPECT_EQ(choose_memory_policy(MemoryPolicy::Auto, true, need, -1, why), MemoryPolicy::Offload);
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
