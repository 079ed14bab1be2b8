// Sequential offload: a transformer loaded under StreamedLoadScope keeps its blocks in host
// memory, runs them one at a time on the device, and gives the same velocity bit for bit. And the
// captured layer-stack graph reports per-block non-finite counts to a trace that asks for them.
#include <gtest/gtest.h>

#include <limits>

#include "DitTestSupport.h"
#include "studio/LayerStream.h"
#include "studio/Trace.h"
#include "studio/dit/NextDiT.h"

using namespace studio;
using namespace studio::test;

TEST(LayerStream, BlockPathsAreTheRepeatedLayers) {
    for (const char* p : {"layers.0.attention.qkv.weight", "noise_refiner.1.ffn_norm1.weight",
                          "context_refiner.0.feed_forward.w2.weight", "layers.33.mlp.up_proj.weight"})
        EXPECT_TRUE(is_streamed_block_path(p)) << p;
    for (const char* p : {"x_embedder.weight", "final_layer.linear.weight", "embed_tokens.weight", "norm.weight",
                          "encoder.layer.3.attention.self.query.weight", "layers_norm.weight", "cap_embedder.1.weight"})
        EXPECT_FALSE(is_streamed_block_path(p)) << p;
}

TEST(DitCuda, StreamedBlocksGiveTheSameVelocity) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (sequential offload streams to a GPU)";
    STUDIO_REQUIRE_FIXTURE(dit_dir() / "inputs.safetensors");
    auto in = load_tensors(dit_dir() / "inputs.safetensors");
    for (auto p : {Precision::FP32, Precision::BF16}) {
        const Numerics nx = Numerics::make(p, torch::kCUDA, NumericsMode::Native);
        auto resident = load_dit(transformer_component("transformer"), nx);
        NextDiT streamed{nullptr};
        {
            StreamedLoadScope scope;
            streamed = load_dit(transformer_component("transformer"), nx);
        }
        int64_t host_params = 0, device_params = 0;
        for (const auto& item : streamed->named_parameters(true))
            (item.value().is_cuda() ? device_params : host_params) += 1;
        EXPECT_GT(host_params, 0);
        EXPECT_GT(device_params, 0);  // embedders and the final layer stay resident
        c10::InferenceMode guard;
        int64_t block_bytes = 0;
        for (const auto& item : streamed->named_parameters(true))
            if (is_streamed_block_path(item.key())) block_bytes += item.value().numel() * item.value().element_size();
        const int64_t before = streamed_bytes();
        const auto a = resident->forward(in["x"], in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]).cpu();
        EXPECT_EQ(streamed_bytes(), before) << "a resident model streams nothing";
        const auto b = streamed->forward(in["x"], in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]).cpu();
        EXPECT_TRUE(torch::equal(a, b)) << to_string(p);
        EXPECT_EQ(streamed_bytes() - before, block_bytes) << "every block visits the device once per forward";
        // The blocks went back to host memory after their forward.
        for (const auto& item : streamed->named_parameters(true)) {
            if (is_streamed_block_path(item.key())) {
                EXPECT_FALSE(item.value().is_cuda()) << item.key();
            }
        }
    }
}

namespace {
// A sink that lets the layer stack run as a graph and keeps what its block checks reported.
struct BlockCheckSink : TraceSink {
    torch::Tensor on_site(const std::string&, SiteKind, const torch::Tensor& v, const torch::Tensor&,
                          const torch::Tensor&) override {
        return v;
    }
    std::string path_of(const torch::nn::Module&) const override { return {}; }
    GraphUse graph_use() const override { return GraphUse::WithBlockChecks; }
    void on_block_checks(const std::string& p, const torch::Tensor& counts, int64_t) override {
        prefix = p;
        reported.push_back(counts.to(torch::kCPU, torch::kInt64).clone());
    }
    std::string prefix;
    std::vector<torch::Tensor> reported;
};
}  // namespace

TEST(DitCuda, GraphedLayerStackReportsTheFirstNonFiniteBlock) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device (CUDA graphs)";
    STUDIO_REQUIRE_FIXTURE(dit_dir() / "inputs.safetensors");
    auto in = load_tensors(dit_dir() / "inputs.safetensors");
    Numerics nx = Numerics::make(Precision::BF16, torch::kCUDA, NumericsMode::Native);
    nx.fast_kernels = fast_kernels_available();
    if (!nx.fast_kernels) GTEST_SKIP() << "this libtorch has no fast kernels (graphs need them)";
    auto model = load_dit(transformer_component("transformer"), nx);
    ASSERT_GE(model->layers.size(), 2u);
    c10::InferenceMode guard;
    BlockCheckSink sink;
    TraceScope scope(&sink);
    auto run = [&] { return model->forward(in["x"], in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]); };
    run();
    ASSERT_TRUE(model->cuda_graph_used());
    ASSERT_EQ(sink.reported.size(), 1u);
    EXPECT_EQ(sink.prefix, "layers.");
    EXPECT_EQ(sink.reported[0].sum().item<int64_t>(), 0);  // a clean step
    // A NaN weight in the second block: its output and every later one is non-finite, the first is not.
    model->layers[1]->attention->out->weight.fill_(std::numeric_limits<float>::quiet_NaN());
    run();
    ASSERT_EQ(sink.reported.size(), 2u);
    const auto c = sink.reported[1];
    EXPECT_EQ(c[0].sum().item<int64_t>(), 0);
    EXPECT_GT(c[1][0].item<int64_t>(), 0);  // NaN count of layers.1
}
