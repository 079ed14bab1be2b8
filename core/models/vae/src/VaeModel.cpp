#include "studio/vae/VaeModel.h"

#include "studio/Trace.h"

#include <utility>

namespace studio {

namespace {
using Kind = VaeResampleImpl::Kind;
}

VaeDecoderImpl::VaeDecoderImpl(const VaeConfig& c, const Numerics& nx) {
    c.validate();
    const auto& ch = c.block_out_channels;
    const size_t n = ch.size();
    const int64_t g = c.norm_num_groups;
    m_conv_in = register_module("conv_in", VaeConv2d(c.latent_channels, ch.back(), 3, 1, 1, nx));
    m_mid = register_module("mid_block", VaeMidBlock(ch.back(), g, c.mid_block_add_attention, nx));
    auto up = torch::nn::ModuleList();
    int64_t prev = ch.back();
    for (size_t i = 0; i < n; ++i) {
        const int64_t out = ch[n - 1 - i];
        m_up.push_back(VaeScaleBlock(Kind::Up, prev, out, c.layers_per_block + 1, i + 1 < n, g, nx));
        up->push_back(m_up.back());
        prev = out;
    }
    register_module("up_blocks", up);
    m_norm_out = register_module("conv_norm_out", VaeGroupNorm(g, ch.front(), nx));
    m_conv_out = register_module("conv_out", VaeConv2d(ch.front(), c.out_channels, 3, 1, 1, nx));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor& z, const VaeHook& hook) {
    auto h = m_conv_in->forward(z);
    if (hook) hook("decoder.conv_in", h);
    h = trace(*m_mid, SiteKind::Block, m_mid->forward(std::move(h)));
    if (hook) hook("decoder.mid_block", h);
    for (size_t i = 0; i < m_up.size(); ++i) {
        h = trace(*m_up[i], SiteKind::Block, m_up[i]->forward(std::move(h)));  // the block owns its input: freed early
        if (hook) hook("decoder.up_blocks." + std::to_string(i), h);
    }
    h = m_norm_out->forward_silu(h);
    return m_conv_out->forward(h);
}

VaeEncoderImpl::VaeEncoderImpl(const VaeConfig& c, const Numerics& nx) {
    c.validate();
    const auto& ch = c.block_out_channels;
    const size_t n = ch.size();
    const int64_t g = c.norm_num_groups;
    m_conv_in = register_module("conv_in", VaeConv2d(c.in_channels, ch.front(), 3, 1, 1, nx));
    auto down = torch::nn::ModuleList();
    int64_t prev = ch.front();
    for (size_t i = 0; i < n; ++i) {
        m_down.push_back(VaeScaleBlock(Kind::Down, prev, ch[i], c.layers_per_block, i + 1 < n, g, nx));
        down->push_back(m_down.back());
        prev = ch[i];
    }
    register_module("down_blocks", down);
    m_mid = register_module("mid_block", VaeMidBlock(ch.back(), g, c.mid_block_add_attention, nx));
    m_norm_out = register_module("conv_norm_out", VaeGroupNorm(g, ch.back(), nx));
    m_conv_out = register_module("conv_out", VaeConv2d(ch.back(), 2 * c.latent_channels, 3, 1, 1, nx));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor& image, const VaeHook& hook) {
    auto h = m_conv_in->forward(image);
    if (hook) hook("encoder.conv_in", h);
    for (size_t i = 0; i < m_down.size(); ++i) {
        h = m_down[i]->forward(std::move(h));
        if (hook) hook("encoder.down_blocks." + std::to_string(i), h);
    }
    h = m_mid->forward(std::move(h));
    if (hook) hook("encoder.mid_block", h);
    h = m_norm_out->forward_silu(h);
    return m_conv_out->forward(h);
}

}  // namespace studio
