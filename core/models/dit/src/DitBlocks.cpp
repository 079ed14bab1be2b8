#include "studio/dit/DitBlocks.h"

#include "studio/Trace.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {

std::shared_ptr<torch::nn::Module> register_group(torch::nn::Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

KeyMask KeyMask::from_mask(const torch::Tensor& mask_in) {
    KeyMask km;
    if (!mask_in.defined()) return km;
    const auto mask = mask_in.to(torch::kBool);
    if (mask.all().item<bool>()) return km;
    km.mask = mask;
    const auto lengths = mask.sum(1);
    const auto prefix = torch::arange(mask.size(1), lengths.options()).unsqueeze(0) < lengths.unsqueeze(1);
    if (torch::equal(prefix, mask)) {
        const auto host = lengths.to(torch::kCPU);
        km.lengths.assign(host.data_ptr<int64_t>(), host.data_ptr<int64_t>() + host.numel());
    }
    return km;
}

DenseImpl::DenseImpl(int64_t in, int64_t out, bool with_bias) {
    weight = register_parameter("weight", torch::empty({out, in}), false);
    if (with_bias) bias = register_parameter("bias", torch::empty({out}), false);
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x, const Numerics& nx) {
    return trace(*this, SiteKind::Linear, nx.q(torch::linear(x, weight, bias)), weight, x);
}

RmsNormImpl::RmsNormImpl(int64_t dim, double eps_) : eps(eps_) {
    weight = register_parameter("weight", torch::empty({dim}), false);
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x, const Numerics& nx) {
    return trace(*this, SiteKind::Norm, rms_norm(x, weight, eps, nx), weight, x);
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t hidden) {
    w1 = register_module("w1", Dense(dim, hidden, false));
    w2 = register_module("w2", Dense(hidden, dim, false));
    w3 = register_module("w3", Dense(dim, hidden, false));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x, const Numerics& nx) {
    // Not fused into one [w1; w3] GEMM on purpose: the halves of its output are strided, and
    // silu / mul on strided halves cost more (non-vectorised kernels) than the GEMM saves.
    if (nx.fast_kernels) return w2->forward(torch::silu(w1->forward(x, nx)).mul_(w3->forward(x, nx)), nx);
    const auto gate = nx.q(torch::silu(w1->forward(x, nx)));
    return w2->forward(nx.q(gate * w3->forward(x, nx)), nx);
}

namespace {

// studio::attention materialises fp32 scores [heads, queries, keys] unless it runs fused SDPA
// (libtorch 2.x, not emulating). Queries are independent, so they are processed in chunks whose
// scores stay within the budget: a 1024x1024 image has ~4.6k keys and 3 x 4.6k grouped queries.
int64_t attention_query_chunk(int64_t heads, int64_t keys, int64_t budget_bytes, const Numerics& nx) {
#if defined(STUDIO_HAVE_SDPA)
    if (!nx.emulated) return std::numeric_limits<int64_t>::max();
#endif
    return std::max<int64_t>(1, budget_bytes / (heads * keys * 4));
}

}  // namespace

JointAttentionImpl::JointAttentionImpl(const DitConfig& c)
    : m_heads(c.n_heads), m_kv_heads(c.n_kv_heads), m_head_dim(c.head_dim()) {
    qkv = register_module("qkv", Dense(c.dim, (c.n_heads + 2 * c.n_kv_heads) * m_head_dim, false));
    out = register_module("out", Dense(c.n_heads * m_head_dim, c.dim, false));
    if (c.qk_norm) {
        q_norm = register_module("q_norm", RmsNorm(m_head_dim, c.qk_norm_eps));
        k_norm = register_module("k_norm", RmsNorm(m_head_dim, c.qk_norm_eps));
    }
}

torch::Tensor JointAttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                         const torch::Tensor& mask, const Numerics& nx) const {
    const double scale = 1.0 / std::sqrt(static_cast<double>(m_head_dim));
    const int64_t rows = q.size(2);
    const int64_t chunk = attention_query_chunk(q.size(0) * q.size(1), k.size(2), score_budget_bytes, nx);
    if (chunk >= rows) return attention(q, k, v, mask, scale, nx, !q_norm.is_empty());
    std::vector<torch::Tensor> parts;
    for (int64_t r0 = 0; r0 < rows; r0 += chunk)
        parts.push_back(attention(q.narrow(2, r0, std::min(chunk, rows - r0)), k, v, mask, scale, nx, !q_norm.is_empty()));
    return torch::cat(parts, 2);
}

torch::Tensor JointAttentionImpl::forward(const torch::Tensor& x, const KeyMask& keys, const RopeTables& rope,
                                          const Numerics& nx) {
    const int64_t B = x.size(0), S = x.size(1), H = m_heads, K = m_kv_heads, R = H / K, D = m_head_dim;
    const auto parts = qkv->forward(x, nx).split({H * D, K * D, K * D}, -1);
    auto q = parts[0].reshape({B, S, H, D});
    auto k = parts[1].reshape({B, S, K, D});
    auto v = parts[2].reshape({B, S, K, D});
    if (q_norm) {
        q = q_norm->forward(q, nx);
        k = k_norm->forward(k, nx);
    }
    q = apply_rope(q, rope, nx);
    k = apply_rope(k, rope, nx);
    // Head h = g * R + r reads kv head g: fold the R query heads of a group into the sequence
    // axis, so attention runs on K heads with R*S queries and no repeated k/v.
    q = q.view({B, S, K, R, D}).permute({0, 2, 3, 1, 4}).reshape({B, K, R * S, D});
    k = k.permute({0, 2, 1, 3});
    v = v.permute({0, 2, 1, 3});
    torch::Tensor o;
    if (keys.all()) {
        o = attend(q, k, v, {}, nx);
    } else if (!keys.lengths.empty()) {
        // Every query row (padding included) sees exactly the valid keys of its sample.
        std::vector<torch::Tensor> per_sample;
        for (int64_t b = 0; b < B; ++b) {
            const int64_t n = keys.lengths[static_cast<size_t>(b)] > 0 ? keys.lengths[static_cast<size_t>(b)] : S;
            per_sample.push_back(attend(q.narrow(0, b, 1), k.narrow(0, b, 1).narrow(2, 0, n), v.narrow(0, b, 1).narrow(2, 0, n), {}, nx));
        }
        o = torch::cat(per_sample, 0);
    } else {
        o = attend(q, k, v, keys.mask.view({B, 1, 1, S}), nx);
    }
    o = o.reshape({B, K, R, S, D}).permute({0, 3, 1, 2, 4}).reshape({B, S, H * D});
    return out->forward(trace(*this, SiteKind::Attention, o, {}, q), nx);
}

JointBlockImpl::JointBlockImpl(const DitConfig& c, bool modulated) {
    attention = register_module("attention", JointAttention(c));
    feed_forward = register_module("feed_forward", FeedForward(c.dim, c.ffn_hidden()));
    attention_norm1 = register_module("attention_norm1", RmsNorm(c.dim, c.norm_eps));
    attention_norm2 = register_module("attention_norm2", RmsNorm(c.dim, c.norm_eps));
    ffn_norm1 = register_module("ffn_norm1", RmsNorm(c.dim, c.norm_eps));
    ffn_norm2 = register_module("ffn_norm2", RmsNorm(c.dim, c.norm_eps));
    if (modulated) adaln = register_group(*this, "adaLN_modulation")->register_module("1", Dense(c.adaln_dim(), 4 * c.dim, true));
}

torch::Tensor JointBlockImpl::forward(const torch::Tensor& x_in, const KeyMask& keys, const RopeTables& rope,
                                      const torch::Tensor& silu_c, const Numerics& nx) {
    auto x = x_in;
    if (!adaln) {
        x = nx.q(x + attention_norm2->forward(attention->forward(attention_norm1->forward(x, nx), keys, rope, nx), nx));
        return nx.q(x + ffn_norm2->forward(feed_forward->forward(ffn_norm1->forward(x, nx), nx), nx));
    }
    TORCH_CHECK(silu_c.defined(), "a modulated block needs the adaLN input");
    const auto mod = adaln->forward(silu_c, nx).unsqueeze(1).chunk(4, -1);  // scale_msa, gate_msa, scale_mlp, gate_mlp
    auto h = nx.q(attention_norm1->forward(x, nx) * nx.q(mod[0] + 1.0));
    auto branch = attention_norm2->forward(attention->forward(h, keys, rope, nx), nx);
    if (nx.fast_kernels) {
        // x + tanh(g) * branch in one pass, rounded once.
        x = torch::addcmul(x, mod[1].tanh(), branch);
        h = ffn_norm1->forward(x, nx).mul_(mod[2] + 1.0);
        branch = ffn_norm2->forward(feed_forward->forward(h, nx), nx);
        return torch::addcmul(x, mod[3].tanh(), branch);
    }
    x = nx.q(x + nx.q(nx.q(mod[1].tanh()) * branch));
    h = nx.q(ffn_norm1->forward(x, nx) * nx.q(mod[2] + 1.0));
    branch = ffn_norm2->forward(feed_forward->forward(h, nx), nx);
    return nx.q(x + nx.q(nx.q(mod[3].tanh()) * branch));
}

FinalLayerImpl::FinalLayerImpl(const DitConfig& c) {
    linear = register_module("linear", Dense(c.dim, c.patch_dim(), true));
    adaln = register_group(*this, "adaLN_modulation")->register_module("1", Dense(c.adaln_dim(), c.dim, true));
}

torch::Tensor FinalLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& silu_c, const Numerics& nx) {
    const auto scale = adaln->forward(silu_c, nx).unsqueeze(1);
    auto h = nx.q(torch::layer_norm(x.to(torch::kFloat32), {x.size(-1)}, {}, {}, 1e-6).to(x.scalar_type()));
    h = nx.q(h * nx.q(scale + 1.0));
    return linear->forward(h, nx);
}

TimestepEmbedderImpl::TimestepEmbedderImpl(int64_t out_dim, int64_t freq_dim) : m_freq_dim(freq_dim) {
    auto mlp = register_group(*this, "mlp");
    linear1 = mlp->register_module("0", Dense(freq_dim, out_dim, true));
    linear2 = mlp->register_module("2", Dense(out_dim, out_dim, true));
}

torch::Tensor TimestepEmbedderImpl::forward(const torch::Tensor& t, const Numerics& nx) {
    // As the reference: frequencies in float32 on the CPU, args = t * f, [cos, sin].
    const int64_t half = m_freq_dim / 2;
    const auto freqs =
        (torch::arange(half, torch::kFloat32) * -std::log(10000.0) / static_cast<double>(half)).exp().to(t.device());
    const auto args = t.to(torch::kFloat32).unsqueeze(1) * freqs.unsqueeze(0);
    auto emb = torch::cat({args.cos(), args.sin()}, -1);
    if (m_freq_dim % 2) emb = torch::cat({emb, torch::zeros_like(emb.narrow(1, 0, 1))}, -1);
    const auto h = nx.q(torch::silu(linear1->forward(nx.in(emb), nx)));
    return linear2->forward(h, nx);
}

}  // namespace studio
