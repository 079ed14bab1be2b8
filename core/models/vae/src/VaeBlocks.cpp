#include "studio/vae/VaeBlocks.h"

#include "studio/Trace.h"

#include <cmath>

namespace studio {

VaeConv2dImpl::VaeConv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                             const Numerics& nx)
    : m_stride(stride), m_padding(padding), m_nx(nx) {
    weight = register_parameter("weight", torch::zeros({out, in, kernel, kernel}));
    bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor VaeConv2dImpl::forward(const torch::Tensor& x) {
    return trace(*this, SiteKind::Conv, m_nx.q(torch::conv2d(x, weight, bias, {m_stride, m_stride}, {m_padding, m_padding})), weight, x);
}

VaeLinearImpl::VaeLinearImpl(int64_t in, int64_t out, const Numerics& nx) : m_nx(nx) {
    weight = register_parameter("weight", torch::zeros({out, in}));
    bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor VaeLinearImpl::forward(const torch::Tensor& x) {
    return trace(*this, SiteKind::Linear, m_nx.q(torch::linear(x, weight, bias)), weight, x);
}

VaeGroupNormImpl::VaeGroupNormImpl(int64_t groups, int64_t channels, const Numerics& nx, double eps)
    : m_groups(groups), m_eps(eps), m_nx(nx) {
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor VaeGroupNormImpl::normalized_fp32(const torch::Tensor& x) {
    return torch::group_norm(x.to(torch::kFloat32), m_groups, weight.to(torch::kFloat32), bias.to(torch::kFloat32),
                             m_eps);
}

torch::Tensor VaeGroupNormImpl::forward(const torch::Tensor& x) {
    return trace(*this, SiteKind::Norm, m_nx.q(normalized_fp32(x).to(x.scalar_type())), weight, x);
}

torch::Tensor VaeGroupNormImpl::forward_silu(const torch::Tensor& x) {
    auto y = m_nx.q(normalized_fp32(x).to(x.scalar_type()));
    return trace(*this, SiteKind::Norm, m_nx.q(torch::silu_(y)), weight, x);
}

VaeResnetBlockImpl::VaeResnetBlockImpl(int64_t in, int64_t out, int64_t groups, const Numerics& nx) : m_nx(nx) {
    m_norm1 = register_module("norm1", VaeGroupNorm(groups, in, nx));
    m_conv1 = register_module("conv1", VaeConv2d(in, out, 3, 1, 1, nx));
    m_norm2 = register_module("norm2", VaeGroupNorm(groups, out, nx));
    m_conv2 = register_module("conv2", VaeConv2d(out, out, 3, 1, 1, nx));
    if (in != out) m_shortcut = register_module("conv_shortcut", VaeConv2d(in, out, 1, 1, 0, nx));
}

torch::Tensor VaeResnetBlockImpl::forward(const torch::Tensor& x) {
    auto h = m_norm1->forward_silu(x);
    h = m_conv1->forward(h);
    h = m_norm2->forward_silu(h);
    h = m_conv2->forward(h);
    // In place: h is ours, and the sum is the same either way round.
    if (m_shortcut) h.add_(m_shortcut->forward(x));
    else h.add_(x);
    return m_nx.q(h);
}

VaeAttentionImpl::VaeAttentionImpl(int64_t channels, int64_t groups, const Numerics& nx, int64_t max_score_elements)
    : m_nx(nx), m_max_score_elements(std::max<int64_t>(1, max_score_elements)) {
    m_norm = register_module("group_norm", VaeGroupNorm(groups, channels, nx));
    m_q = register_module("to_q", VaeLinear(channels, channels, nx));
    m_k = register_module("to_k", VaeLinear(channels, channels, nx));
    m_v = register_module("to_v", VaeLinear(channels, channels, nx));
    m_out = VaeLinear(channels, channels, nx);
    auto to_out = torch::nn::ModuleList();
    to_out->push_back(m_out);
    register_module("to_out", to_out);
}

torch::Tensor VaeAttentionImpl::forward(const torch::Tensor& x) {
    const int64_t b = x.size(0), c = x.size(1), hgt = x.size(2), wid = x.size(3), s = hgt * wid;
    auto h = m_norm->forward(x).view({b, c, s}).transpose(1, 2);  // [B, HW, C] tokens
    const auto q = m_q->forward(h).unsqueeze(1);                   // [B, 1, HW, C]: one head of width C
    const auto k = m_k->forward(h).unsqueeze(1);
    const auto v = m_v->forward(h).unsqueeze(1);
    h = torch::Tensor();
    const double scale = 1.0 / std::sqrt(static_cast<double>(c));

    torch::Tensor o;
    const int64_t rows = std::max<int64_t>(1, m_max_score_elements / std::max<int64_t>(1, b * s));
    if (rows >= s) {
        o = attention(q, k, v, torch::Tensor(), scale, m_nx);
    } else {
        // Softmax is per query row, so chunking the queries is exact.
        o = torch::empty_like(q);
        for (int64_t start = 0; start < s; start += rows) {
            const int64_t n = std::min(rows, s - start);
            o.narrow(2, start, n).copy_(attention(q.narrow(2, start, n), k, v, torch::Tensor(), scale, m_nx));
        }
    }
    o = m_out->forward(trace(*this, SiteKind::Attention, o, {}, q).squeeze(1));  // [B, HW, C]
    o = o.transpose(1, 2).reshape({b, c, hgt, wid});
    o.add_(x);
    return m_nx.q(o);
}

VaeMidBlockImpl::VaeMidBlockImpl(int64_t channels, int64_t groups, bool attention, const Numerics& nx) {
    auto resnets = torch::nn::ModuleList();
    for (int i = 0; i < 2; ++i) {
        m_resnets.push_back(VaeResnetBlock(channels, channels, groups, nx));
        resnets->push_back(m_resnets.back());
    }
    register_module("resnets", resnets);
    if (attention) {
        m_attention = VaeAttention(channels, groups, nx);
        auto attentions = torch::nn::ModuleList();
        attentions->push_back(m_attention);
        register_module("attentions", attentions);
    }
}

torch::Tensor VaeMidBlockImpl::forward(torch::Tensor x) {
    x = m_resnets[0]->forward(x);
    if (m_attention) x = m_attention->forward(x);
    return m_resnets[1]->forward(x);
}

VaeResampleImpl::VaeResampleImpl(Kind kind, int64_t channels, const Numerics& nx) : m_kind(kind) {
    m_conv = register_module("conv", VaeConv2d(channels, channels, 3, kind == Kind::Up ? 1 : 2,
                                               kind == Kind::Up ? 1 : 0, nx));
}

torch::Tensor VaeResampleImpl::forward(const torch::Tensor& x) {
    namespace F = torch::nn::functional;
    if (m_kind == Kind::Up) {
        auto up = F::interpolate(
            x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
        return m_conv->forward(up);
    }
    // torch convs only pad symmetrically; diffusers pads right/bottom by one.
    return m_conv->forward(torch::constant_pad_nd(x, {0, 1, 0, 1}, 0));
}

VaeScaleBlockImpl::VaeScaleBlockImpl(VaeResampleImpl::Kind kind, int64_t in, int64_t out, int64_t num_resnets,
                                     bool resample, int64_t groups, const Numerics& nx) {
    auto resnets = torch::nn::ModuleList();
    for (int64_t j = 0; j < num_resnets; ++j) {
        m_resnets.push_back(VaeResnetBlock(j == 0 ? in : out, out, groups, nx));
        resnets->push_back(m_resnets.back());
    }
    register_module("resnets", resnets);
    if (resample) {
        m_resample = VaeResample(kind, out, nx);
        auto list = torch::nn::ModuleList();
        list->push_back(m_resample);
        register_module(kind == VaeResampleImpl::Kind::Up ? "upsamplers" : "downsamplers", list);
    }
}

torch::Tensor VaeScaleBlockImpl::forward(torch::Tensor x) {
    for (auto& r : m_resnets) x = r->forward(x);
    if (m_resample) x = m_resample->forward(x);
    return x;
}

}  // namespace studio
