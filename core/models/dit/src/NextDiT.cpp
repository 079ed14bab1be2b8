#include "studio/dit/NextDiT.h"

#include "studio/Errors.h"
#include "studio/LayerStream.h"
#include "studio/ModuleLoader.h"
#include "studio/dit/DitGraph.h"

namespace studio {
namespace {

std::vector<JointBlock> register_blocks(torch::nn::Module& parent, const std::string& name, int64_t n,
                                        const DitConfig& c, bool modulated) {
    std::vector<JointBlock> blocks;
    auto group = register_group(parent, name);
    for (int64_t i = 0; i < n; ++i) blocks.push_back(group->register_module(std::to_string(i), JointBlock(c, modulated)));
    return blocks;
}

std::string shape_of(const torch::Tensor& t) {
    if (!t.defined()) return "undefined";
    return shape_string(t.sizes().vec());
}

// Position ids of the three RoPE axes for B sequences of S rows (int64, on `device`).
struct Positions {
    torch::Tensor ids;    // [B, S, 3]
    torch::Tensor valid;  // [B, S] bool
};

// Joint sequence [caption 0..cap_len-1][image tokens][padding]: caption token j -> (j, 0, 0),
// image token (r, c) -> (cap_len, r, c), padding -> (0, 0, 0). Image ids start right after the
// EFFECTIVE caption length, so the output does not depend on how far captions are padded.
Positions joint_positions(const torch::Tensor& cap_len, int64_t S, int64_t grid_w, int64_t n_img) {
    const auto j = torch::arange(S, cap_len.options()).unsqueeze(0);  // [1, S]
    const auto cl = cap_len.unsqueeze(1);                             // [B, 1]
    const auto is_cap = j < cl;
    const auto is_img = (j >= cl).logical_and(j < cl + n_img);
    const auto k = (j - cl).clamp(0, n_img - 1);
    const auto zero = torch::zeros({}, cap_len.options());
    const auto a0 = torch::where(is_cap, j, torch::where(is_img, cl, zero));
    const auto a1 = torch::where(is_img, k.div(grid_w, "floor"), zero);
    const auto a2 = torch::where(is_img, k.remainder(grid_w), zero);
    return {torch::stack({a0, a1, a2}, -1), is_cap.logical_or(is_img)};
}

}  // namespace

NextDiTImpl::NextDiTImpl(const DitConfig& config, const Numerics& nx) : m_config(config), m_nx(nx) {
    const auto& c = m_config;
    c.validate();
    // Registration order follows the reference's state_dict.
    x_embedder = register_module("x_embedder", Dense(c.patch_dim(), c.dim, true));
    noise_refiner = register_blocks(*this, "noise_refiner", c.n_refiner_layers, c, true);
    context_refiner = register_blocks(*this, "context_refiner", c.n_refiner_layers, c, false);
    t_embedder = register_module("t_embedder", TimestepEmbedder(c.adaln_dim()));
    auto cap = register_group(*this, "cap_embedder");
    cap_norm = cap->register_module("0", RmsNorm(c.cap_feat_dim, c.norm_eps));
    cap_linear = cap->register_module("1", Dense(c.cap_feat_dim, c.dim, true));
    layers = register_blocks(*this, "layers", c.n_layers, c, true);
    final_layer = register_module("final_layer", FinalLayer(c));
    time_text_linear = register_group(*this, "time_text_embed")
                           ->register_module("1", Dense(c.adaln_dim() + c.clip_text_dim, c.adaln_dim(), true));
    auto clip = register_group(*this, "clip_text_pooled_proj");
    clip_norm = clip->register_module("0", RmsNorm(c.clip_text_dim, c.qk_norm_eps));
    clip_linear = clip->register_module("1", Dense(c.clip_text_dim, c.clip_text_dim, true));
}

void NextDiTImpl::set_attention_budget(int64_t bytes) {
    for (auto* group : {&noise_refiner, &context_refiner, &layers})
        for (auto& block : *group) block->attention->score_budget_bytes = bytes;
}

void NextDiTImpl::set_fast_kernels(bool on) {
    m_nx.fast_kernels = on && fast_kernels_available() && m_nx.device.is_cuda() && !m_nx.emulated;
    drop_cuda_graph();
}

torch::Tensor NextDiTImpl::run_layers(torch::Tensor h, const KeyMask& keys, const RopeTables& rope, const torch::Tensor& silu_c) {
    // A graph would bake in the device copies of streamed (sequentially offloaded) blocks.
    const bool streamed = !layers.empty() && m_nx.device.is_cuda() && layers[0]->parameters().front().is_cpu();
    const auto use = trace_graph_use();
    const bool graphs = m_cuda_graphs && m_nx.fast_kernels && m_nx.device.is_cuda() && !m_trace &&
                        use != TraceSink::GraphUse::Never && !streamed && cuda_graphs_enabled();
    m_graph_used = false;
    if (graphs) {
        const bool checks = use == TraceSink::GraphUse::WithBlockChecks;
        const int64_t elements = h.numel();
        if (auto out = run_layers_graphed(checks ? m_graph_checked : m_graph, h, keys, rope, silu_c,
                                          [this, checks](torch::Tensor x, const KeyMask& k, const RopeTables& r, const torch::Tensor& s) {
                                              std::vector<torch::Tensor> counts;
                                              for (auto& layer : layers) {
                                                  x = layer->forward(x, k, r, s, m_nx);
                                                  if (checks) counts.push_back(nonfinite_counts(x));
                                              }
                                              if (checks) m_block_checks = torch::stack(counts);
                                              return x;
                                          });
            out.defined()) {
            m_graph_used = true;
            if (checks) trace_block_checks("layers.", m_block_checks, elements);
            return out;
        }
        m_cuda_graphs = false;  // capture failed once: stay eager for this model
    }
    for (size_t i = 0; i < layers.size(); ++i) {
        auto& block = *layers[i];
        h = trace("layers." + std::to_string(i), run_block(block, m_nx.device, [&] { return block.forward(h, keys, rope, silu_c, m_nx); }));
    }
    return h;
}

void NextDiTImpl::check_inputs(const torch::Tensor& x, const torch::Tensor& cap_feats, const torch::Tensor& cap_mask,
                               const torch::Tensor& clip_pooled) const {
    const auto& c = m_config;
    auto fail = [&](const std::string& what) {
        throw StudioError("transformer input: " + what + " (x " + shape_of(x) + ", cap_feats " + shape_of(cap_feats) +
                          ", cap_mask " + shape_of(cap_mask) + ", clip " + shape_of(clip_pooled) + ")");
    };
    if (!x.defined() || x.dim() != 4 || x.size(1) != c.in_channels) fail("x must be [B, in_channels, H, W]");
    if (x.size(2) % c.patch_size || x.size(3) % c.patch_size) fail("H and W must be multiples of the patch size");
    const int64_t B = x.size(0);
    if (!cap_feats.defined() || cap_feats.dim() != 3 || cap_feats.size(0) != B || cap_feats.size(2) != c.cap_feat_dim)
        fail("cap_feats must be [B, L, cap_feat_dim]");
    if (!cap_mask.defined() || cap_mask.dim() != 2 || cap_mask.size(0) != B || cap_mask.size(1) != cap_feats.size(1))
        fail("cap_mask must be [B, L]");
    if (clip_pooled.defined() && (clip_pooled.dim() != 2 || clip_pooled.size(0) != B || clip_pooled.size(1) != c.clip_text_dim))
        fail("clip_pooled must be [B, clip_text_dim]");
}

torch::Tensor NextDiTImpl::forward(const torch::Tensor& x_in, const torch::Tensor& t, const torch::Tensor& cap_feats,
                                   const torch::Tensor& cap_mask, const torch::Tensor& clip_pooled) {
    ComputeScope compute(m_nx);
    check_inputs(x_in, cap_feats, cap_mask, clip_pooled);
    const auto& c = m_config;
    const auto& nx = m_nx;
    const auto dev = nx.device;
    const int64_t B = x_in.size(0), C = c.in_channels, H = x_in.size(2), W = x_in.size(3), p = c.patch_size;
    const int64_t Hp = H / p, Wp = W / p, N = Hp * Wp, L = cap_feats.size(1);
    if (t.numel() != 1 && t.numel() != B) throw StudioError("transformer input: t must have 1 or B values");

    const auto mask_b = cap_mask.to(dev).to(torch::kBool);
    const auto cap_len = mask_b.sum(1);  // int64 [B], effective caption lengths
    const auto cap_len_host = cap_len.to(torch::kCPU);
    const int64_t max_cap = cap_len_host.max().item<int64_t>();

    // Conditioning: c = time_text_embed([t_emb, clip_proj(pooled)]), the adaLN input of every block.
    const auto t_emb = trace("t_embedder", t_embedder->forward(t.reshape({-1}).expand({B}).to(dev, torch::kFloat32), nx));
    auto cond = t_emb;
    if (clip_pooled.defined()) {
        const auto clip_emb = trace("clip_text_pooled_proj", clip_linear->forward(clip_norm->forward(nx.in(clip_pooled), nx), nx));
        cond = trace("time_text_embed", time_text_linear->forward(nx.q(torch::silu(torch::cat({t_emb, clip_emb}, -1))), nx));
    }
    const auto silu_c = nx.q(torch::silu(cond));

    auto cap = trace("cap_embedder", cap_linear->forward(cap_norm->forward(nx.in(cap_feats), nx), nx));

    // RoPE tables, built once per forward: caption-only, image-only and joint sequences.
    const auto jcap = torch::arange(L, cap_len.options()).unsqueeze(0).expand({B, L});
    const auto cap_ids = torch::stack({jcap, torch::zeros_like(jcap), torch::zeros_like(jcap)}, -1);
    const bool cplx = nx.fast_kernels;
    const auto cap_rope = rope_tables(cap_ids, c.axes_dims, c.rope_theta, jcap < cap_len.unsqueeze(1), cplx);
    const int64_t S = max_cap + N;
    const auto joint = joint_positions(cap_len, S, Wp, N);
    const auto joint_rope = rope_tables(joint.ids, c.axes_dims, c.rope_theta, {}, cplx);
    const auto k = torch::arange(N, cap_len.options()).unsqueeze(0).expand({B, N});
    const auto img_ids = torch::stack({cap_len.unsqueeze(1).expand({B, N}), k.div(Wp, "floor"), k.remainder(Wp)}, -1);
    const auto img_rope = rope_tables(img_ids, c.axes_dims, c.rope_theta, {}, cplx);

    const auto cap_keys = KeyMask::from_mask(mask_b);
    for (size_t i = 0; i < context_refiner.size(); ++i) {
        auto& block = *context_refiner[i];
        cap = trace("context_refiner." + std::to_string(i),
                    run_block(block, nx.device, [&] { return block.forward(cap, cap_keys, cap_rope, {}, nx); }));
    }

    // Patchify: [B, C, H, W] -> [B, N, p*p*C], patch vector order (py, px, c).
    const auto patches = nx.in(x_in).view({B, C, Hp, p, Wp, p}).permute({0, 2, 4, 3, 5, 1}).reshape({B, N, p * p * C});
    auto img = trace("x_embedder", x_embedder->forward(patches, nx));
    for (size_t i = 0; i < noise_refiner.size(); ++i) {
        auto& block = *noise_refiner[i];
        img = trace("noise_refiner." + std::to_string(i),
                    run_block(block, nx.device, [&] { return block.forward(img, {}, img_rope, silu_c, nx); }));
    }

    // Joint sequence per sample: [cap_len_i caption rows][N image rows][zero padding].
    auto h = torch::zeros({B, S, c.dim}, img.options());
    for (int64_t b = 0; b < B; ++b) {
        const int64_t cl = cap_len_host[b].item<int64_t>();
        if (cl > 0) h[b].narrow(0, 0, cl).copy_(cap[b].narrow(0, 0, cl));
        h[b].narrow(0, cl, N).copy_(img[b]);
    }
    const auto joint_keys = KeyMask::from_mask(joint.valid);
    h = run_layers(h, joint_keys, joint_rope, silu_c);
    const auto out = trace("final_layer", final_layer->forward(h, silu_c, nx));

    // Unpatchify the image rows of each sample back to [C, H, W].
    std::vector<torch::Tensor> images;
    images.reserve(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) {
        const int64_t cl = cap_len_host[b].item<int64_t>();
        images.push_back(out[b].narrow(0, cl, N).view({Hp, Wp, p, p, C}).permute({4, 0, 2, 1, 3}).reshape({C, H, W}));
    }
    return torch::stack(images);
}

}  // namespace studio
