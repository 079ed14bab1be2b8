#include "TrainDit.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

namespace studio::demo {

namespace {
bool ends_with(const std::string& s, const std::string& e) {
    return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
}  // namespace

void init_dit_weights(NextDiTImpl& model, uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& item : model.named_parameters(true)) {
        const std::string& name = item.key();
        auto& p = item.value();
        torch::Tensor v;
        const bool zero = name.find("adaLN_modulation") != std::string::npos || starts_with(name, "final_layer.linear.");
        if (zero || ends_with(name, ".bias")) {
            v = torch::zeros(p.sizes());
        } else if (p.dim() == 1) {
            v = torch::ones(p.sizes());  // RMSNorm weights
        } else if (starts_with(name, "t_embedder.") || starts_with(name, "cap_embedder.")) {
            v = torch::randn(p.sizes(), gen, torch::kFloat32) * 0.02;
        } else {
            const double bound = std::sqrt(6.0 / static_cast<double>(p.size(0) + p.size(1)));
            v = (torch::rand(p.sizes(), gen, torch::kFloat32) * 2 - 1) * bound;
        }
        p.copy_(v.to(p.device(), p.scalar_type()));
    }
}

torch::Tensor dit_training_forward(NextDiTImpl& m, const torch::Tensor& x_in, const torch::Tensor& t,
                                   const torch::Tensor& cap_feats, const torch::Tensor& cap_mask,
                                   const torch::Tensor& clip_pooled) {
    const auto& c = m.config();
    const auto& nx = m.numerics();
    const auto dev = nx.device;
    const int64_t B = x_in.size(0), C = c.in_channels, H = x_in.size(2), W = x_in.size(3), p = c.patch_size;
    const int64_t Hp = H / p, Wp = W / p, N = Hp * Wp, L = cap_feats.size(1);
    TORCH_CHECK(x_in.dim() == 4 && x_in.size(1) == C && H % p == 0 && W % p == 0, "dit_training_forward: bad x");
    TORCH_CHECK(cap_feats.size(0) == B && cap_mask.size(0) == B && cap_mask.size(1) == L, "dit_training_forward: bad caption");

    // Lengths on the host (no device sync when the caller passes the mask from the CPU).
    const auto mask_host = cap_mask.to(torch::kCPU).to(torch::kBool);
    const auto len_host = mask_host.sum(1);
    const int64_t max_cap = len_host.max().item<int64_t>();
    const bool captions_full = mask_host.all().item<bool>();
    const bool lengths_equal = len_host.min().item<int64_t>() == max_cap;
    const auto mask_b = mask_host.to(dev);
    const auto cap_len = len_host.to(dev);  // [B] int64

    const auto t_emb = m.t_embedder->forward(t.reshape({-1}).expand({B}).to(dev, torch::kFloat32), nx);
    auto cond = t_emb;
    if (clip_pooled.defined()) {
        const auto clip_emb = m.clip_linear->forward(m.clip_norm->forward(nx.in(clip_pooled), nx), nx);
        cond = m.time_text_linear->forward(nx.q(torch::silu(torch::cat({t_emb, clip_emb}, -1))), nx);
    }
    const auto silu_c = nx.q(torch::silu(cond));
    auto cap = m.cap_linear->forward(m.cap_norm->forward(nx.in(cap_feats), nx), nx);

    const auto idx_opts = cap_len.options();
    const auto jcap = torch::arange(L, idx_opts).unsqueeze(0).expand({B, L});
    const auto cap_ids = torch::stack({jcap, torch::zeros_like(jcap), torch::zeros_like(jcap)}, -1);
    const auto cap_rope = rope_tables(cap_ids, c.axes_dims, c.rope_theta, jcap < cap_len.unsqueeze(1));

    // Joint sequence [caption 0..cl-1][image tokens][padding], ids as in NextDiT.cpp.
    const int64_t S = max_cap + N;
    const auto j = torch::arange(S, idx_opts).unsqueeze(0);
    const auto cl = cap_len.unsqueeze(1);
    const auto is_cap = j < cl;
    const auto is_img = (j >= cl).logical_and(j < cl + N);
    const auto k_img = (j - cl).clamp(0, N - 1);
    const auto zero = torch::zeros({}, idx_opts);
    const auto joint_ids = torch::stack({torch::where(is_cap, j, torch::where(is_img, cl, zero)),
                                         torch::where(is_img, k_img.div(Wp, "floor"), zero),
                                         torch::where(is_img, k_img.remainder(Wp), zero)},
                                        -1);
    const auto joint_valid = is_cap.logical_or(is_img);
    const auto joint_rope = rope_tables(joint_ids, c.axes_dims, c.rope_theta);
    const auto k = torch::arange(N, idx_opts).unsqueeze(0).expand({B, N});
    const auto img_ids = torch::stack({cl.expand({B, N}), k.div(Wp, "floor"), k.remainder(Wp)}, -1);
    const auto img_rope = rope_tables(img_ids, c.axes_dims, c.rope_theta);

    // Masks go to attention as they are (one batched call), not sliced per sample.
    const auto batched_keys = [](const torch::Tensor& valid, bool all) {
        KeyMask km;
        if (!all) km.mask = valid;
        return km;
    };
    const auto cap_keys = batched_keys(mask_b, captions_full);
    for (auto& block : m.context_refiner) cap = block->forward(cap, cap_keys, cap_rope, {}, nx);

    const auto patches = nx.in(x_in).view({B, C, Hp, p, Wp, p}).permute({0, 2, 4, 3, 5, 1}).reshape({B, N, p * p * C});
    auto img = m.x_embedder->forward(patches, nx);
    for (auto& block : m.noise_refiner) img = block->forward(img, {}, img_rope, silu_c, nx);

    // Gather caption rows, image rows and a zero row into the joint order.
    const auto source = torch::cat({cap, img, torch::zeros({B, 1, c.dim}, img.options())}, 1);
    const auto gather_idx = torch::where(is_cap, j, torch::where(is_img, L + (j - cl), torch::full({}, L + N, idx_opts)));
    auto h = source.gather(1, gather_idx.unsqueeze(-1).expand({B, S, c.dim}));
    const auto joint_keys = batched_keys(joint_valid, lengths_equal);
    for (auto& block : m.layers) h = block->forward(h, joint_keys, joint_rope, silu_c, nx);
    const auto out = m.final_layer->forward(h, silu_c, nx);

    const auto rows = (cl + torch::arange(N, idx_opts).unsqueeze(0)).unsqueeze(-1).expand({B, N, out.size(-1)});
    return out.gather(1, rows).view({B, Hp, Wp, p, p, C}).permute({0, 5, 1, 3, 2, 4}).reshape({B, C, H, W});
}

torch::Tensor sample_training_time(int64_t batch, int64_t image_tokens, const torch::Device& device) {
    const double frac = std::clamp((static_cast<double>(image_tokens) - 256.0) / (4096.0 - 256.0), 0.0, 1.0);
    const double mu = 0.5 + (1.15 - 0.5) * frac;
    const auto u = torch::sigmoid(torch::randn({batch}, torch::TensorOptions().device(device)));
    // sigma = 1 - u shifted like SD3 with s = e^mu; t = 1 - sigma'.
    const auto sigma = 1.0 - u;
    const double s = std::exp(mu);
    return 1.0 - (s * sigma) / (1.0 + (s - 1.0) * sigma);
}

}  // namespace studio::demo
