#pragma once
// The NewBie denoiser: NextDiT_CLIP (Next-DiT with Gemma caption features and a pooled
// Jina CLIP vector in the adaLN input). Predicts the rectified-flow velocity u = x_data - noise
// at model time t (0 = noise, 1 = data).
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "studio/ModelFolder.h"
#include "studio/Numerics.h"
#include "studio/Trace.h"
#include "studio/WeightStore.h"
#include "studio/dit/DitBlocks.h"
#include "studio/dit/DitConfig.h"

namespace studio {

// Receives named intermediate activations during a forward, under the reference's module
// names: "t_embedder", "clip_text_pooled_proj", "time_text_embed", "cap_embedder", "x_embedder",
// "context_refiner.<i>", "noise_refiner.<i>", "layers.<i>", "final_layer" (before unpatchify).
using DitTraceFn = std::function<void(const std::string& name, const torch::Tensor& value)>;

class NextDiTImpl : public torch::nn::Module {
public:
    NextDiTImpl(const DitConfig& config, const Numerics& nx);

    // x [B, C, H, W] latent (H, W multiples of patch_size); t [B] (or one value) model time;
    // cap_feats [B, L, cap_feat_dim]; cap_mask [B, L] int/bool, right-padded, 1 = token;
    // clip_pooled [B, clip_text_dim] (undefined: the adaLN input is the time embedding alone).
    // Returns the velocity [B, C, H, W] in nx.compute(). Padded caption rows never matter.
    // Differentiable: callers choose c10::InferenceMode (pipeline) or autograd (train-demo).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& cap_feats,
                          const torch::Tensor& cap_mask, const torch::Tensor& clip_pooled);

    const DitConfig& config() const { return m_config; }
    const Numerics& numerics() const { return m_nx; }
    void set_trace(DitTraceFn fn) { m_trace = std::move(fn); }
    // Memory cap for materialised attention scores (CPU / emulated paths); results do not change.
    void set_attention_budget(int64_t bytes);
    // Switches between the fast kernels and the plain reference path (tests, benchmarks).
    void set_fast_kernels(bool on);
    // With the fast kernels on CUDA, the main layer stack runs as one captured CUDA graph per
    // input shape (no launch gaps); off by STUDIO_CUDA_GRAPHS=0 or here. With a trace only when
    // it allows (the basic audit: the graph then also computes each block's non-finite counts).
    void set_cuda_graphs(bool on) { m_cuda_graphs = on; }
    // Drops the captured layer-stack graphs: they hold the weights' device addresses and the
    // kernels chosen at capture, so they must go when either changes.
    void drop_cuda_graph() { m_graph.reset(), m_graph_checked.reset(); }
    bool cuda_graph_used() const { return m_graph_used; }

    Dense x_embedder{nullptr};
    TimestepEmbedder t_embedder{nullptr};
    RmsNorm cap_norm{nullptr}, clip_norm{nullptr};      // "cap_embedder.0", "clip_text_pooled_proj.0"
    Dense cap_linear{nullptr}, clip_linear{nullptr};    // "cap_embedder.1", "clip_text_pooled_proj.1"
    Dense time_text_linear{nullptr};                    // "time_text_embed.1"
    std::vector<JointBlock> noise_refiner, context_refiner, layers;
    FinalLayer final_layer{nullptr};

private:
    // A block-level site: the test hook and the run's trace (which may replace the value) see it.
    torch::Tensor trace(const std::string& name, const torch::Tensor& v) const {
        if (m_trace) m_trace(name, v);
        return studio::trace(name.c_str(), SiteKind::Block, v);
    }
    void check_inputs(const torch::Tensor& x, const torch::Tensor& cap_feats, const torch::Tensor& cap_mask,
                      const torch::Tensor& clip_pooled) const;

    torch::Tensor run_layers(torch::Tensor h, const KeyMask& keys, const RopeTables& rope, const torch::Tensor& silu_c);
    DitConfig m_config;
    Numerics m_nx;
    DitTraceFn m_trace;
    bool m_cuda_graphs{true};
    bool m_graph_used{false};
    torch::Tensor m_block_checks;   // [layers, 2] NaN / Inf counts, rewritten by each replay
    // The layer stack as captured without and with per-block non-finite counts (the basic audit):
    // both kept, so runs that switch the audit on and off do not capture again each time.
    std::shared_ptr<struct DitLayerGraph> m_graph, m_graph_checked;
};
TORCH_MODULE(NextDiT);

// Loads from a transformer component folder (original or diffusers key names; optional
// "inner_model." / "model.diffusion_model." prefixes). A config without cap_feat_dim takes the
// argument, else the caption embedder's weight shape. Every shape is checked against the config.
NextDiT load_dit(const ComponentFiles& component, const Numerics& nx, std::optional<int64_t> cap_feat_dim = {});
// The store's key naming (original or diffusers) is detected from its keys. Throws
// ModelLoadError naming the tensor when one is missing, has another shape, or is left over
// from a block the config does not have.
NextDiT load_dit(const DitConfig& config, const WeightStore& store, const Numerics& nx);

// Random weights for tests and init-random, under ORIGINAL key names (fp32, CPU), including the
// unused norm_final.weight a real checkpoint carries. Deterministic for a seed.
std::vector<std::pair<std::string, torch::Tensor>> random_dit_weights(const DitConfig& config, uint64_t seed);

struct CfgOptions {
    double scale{4.0};
    double trunc{100.0};  // guidance only while t < trunc; otherwise only the cond half is evaluated
    double renorm{0.0};   // > 0: cap ||guided|| at renorm * ||cond|| (per sample, over C,H,W)
};

// The reference's forward_with_cfg on a [cond, uncond] batch of 2B: returns the guided
// velocity (fp32) in both halves.
torch::Tensor forward_with_cfg(NextDiT& model, const torch::Tensor& x, double t, const torch::Tensor& cap_feats,
                               const torch::Tensor& cap_mask, const torch::Tensor& clip_pooled, const CfgOptions& cfg);

}  // namespace studio
