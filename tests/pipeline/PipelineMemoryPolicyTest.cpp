// The memory policies on a real (tiny, random) model folder: the estimate knows how much of the
// text encoder streams, and on a GPU offload streams only the text encoder's layers (the
// transformer stays resident and cached), sequential streams the transformer's as well, and
// neither changes a bit of the image.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "RunSteps.h"
#include "TestSupport.h"
#include "TinyRun.h"
#include "studio/Generation.h"
#include "studio/LayerStream.h"
#include "studio/RandomModel.h"
#include "studio/RequestCheck.h"

namespace fs = std::filesystem;
using namespace studio;

namespace {
GenerationParams tiny_params(const std::string& precision, DeviceKind device) {
    auto p = test::tiny_request(test::tiny_model_dir("tiny-model-memory", 11), precision, 5);
    p.device = device;
    return p;
}
using test::max_abs_diff;

bool gpu_run() { return test::device_name() == "cuda" && torch::cuda::is_available(); }
}  // namespace

TEST(PipelineMemoryPolicy, EstimateCountsTheTextEncoderLayersThatOffloadLeavesOnTheHost) {
    const auto fp32 = estimate_run_memory(tiny_params("fp32", DeviceKind::CUDA));
    const auto bf16 = estimate_run_memory(tiny_params("bf16", DeviceKind::CUDA));
    EXPECT_GT(fp32.text_block_weights, 0);
    EXPECT_LT(fp32.text_block_weights, fp32.text_weights) << "embeddings, final norm and CLIP stay resident";
    EXPECT_EQ(fp32.offloaded(), fp32.total() - fp32.text_block_weights);
    EXPECT_EQ(bf16.text_block_weights * 2, fp32.text_block_weights);
}

TEST(PipelineMemoryPolicy, OffloadStreamsOnlyTheTextEncoderAndKeepsEveryBit) {
    if (!gpu_run()) GTEST_SKIP() << "offload streams to a GPU (STUDIO_TEST_DEVICE=cuda)";
    for (const std::string precision : {"fp32", "bf16"}) {
        SCOPED_TRACE(precision);
        Pipeline pipeline;
        auto p = tiny_params(precision, DeviceKind::CUDA);
        p.memory = MemoryPolicy::Keep;
        const auto kept = pipeline.run(p, {}, CancelToken{});
        EXPECT_EQ(kept.report.memory_policy, "keep");

        p.memory = MemoryPolicy::Offload;
        int64_t before = streamed_bytes();
        const auto first = pipeline.run(p, {}, CancelToken{});
        const int64_t offload_bytes = streamed_bytes() - before;
        before = streamed_bytes();
        const auto second = pipeline.run(p, {}, CancelToken{});
        EXPECT_EQ(streamed_bytes() - before, offload_bytes) << "every encode streams the same layers";
        EXPECT_GT(offload_bytes, 0) << "offload must keep the text encoder's layers in host memory";
        EXPECT_EQ(second.report.memory_policy, "offload");
        EXPECT_EQ(second.report.memory_policy_reason, "asked");
        ASSERT_EQ(second.report.modules.size(), 4u);
        EXPECT_FALSE(first.report.modules[0].from_cache) << "a streamed Gemma is its own cache entry";
        EXPECT_TRUE(second.report.modules[0].from_cache);
        EXPECT_TRUE(first.report.modules[2].from_cache) << "the transformer stays resident and cached";
        EXPECT_EQ(max_abs_diff(kept.image, first.image), 0.0);
        EXPECT_EQ(max_abs_diff(kept.image, second.image), 0.0);

        p.memory = MemoryPolicy::Sequential;
        before = streamed_bytes();
        const auto seq = pipeline.run(p, {}, CancelToken{});
        EXPECT_GT(streamed_bytes() - before, offload_bytes) << "sequential streams the transformer's blocks too";
        EXPECT_EQ(seq.report.memory_policy, "sequential");
        EXPECT_EQ(max_abs_diff(kept.image, seq.image), 0.0);
    }
}

// --vram-budget simulates a smaller card: auto must choose for the capped memory, not the card's.
TEST(PipelineMemoryPolicy, AutoChoosesForTheCappedDevice) {
    if (!gpu_run()) GTEST_SKIP() << "the cap applies to the CUDA allocator (STUDIO_TEST_DEVICE=cuda)";
    const auto p = tiny_params("bf16", DeviceKind::CUDA);
    const torch::Device cuda(torch::kCUDA);
    std::string why;
    ASSERT_TRUE(limit_device_memory(int64_t{3} << 30));
    EXPECT_EQ(resolve_memory_policy(p, cuda, why), MemoryPolicy::Keep) << why;  // the tiny model fits
    EXPECT_NE(why.find("3.0 GiB is usable on the device"), std::string::npos) << why;
    ASSERT_TRUE(limit_device_memory(int64_t{1} << 40));  // lifts the cap for the rest of the process
    resolve_memory_policy(p, cuda, why);
    EXPECT_EQ(why.find("3.0 GiB is usable"), std::string::npos) << why;
}
