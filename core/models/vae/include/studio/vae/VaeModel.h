#pragma once
// The AutoencoderKL decoder and encoder. Parameter paths equal the diffusers keys without
// their "decoder." / "encoder." prefix, so load_module_weights(module, store, nx, "decoder.")
// loads them by name.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "studio/Numerics.h"
#include "studio/vae/VaeBlocks.h"
#include "studio/vae/VaeConfig.h"

namespace studio {

// Observes named intermediate activations ("decoder.conv_in", "decoder.mid_block",
// "decoder.up_blocks.0", ...); used by tests and diagnostics.
using VaeHook = std::function<void(const std::string& name, const torch::Tensor& value)>;

// z [B, latent, h, w] (already unscaled) -> image [B, out, h*f, w*f] in about [-1, 1].
class VaeDecoderImpl : public torch::nn::Module {
public:
    VaeDecoderImpl(const VaeConfig& config, const Numerics& nx);
    torch::Tensor forward(const torch::Tensor& z, const VaeHook& hook = {});

private:
    VaeConv2d m_conv_in{nullptr}, m_conv_out{nullptr};
    VaeMidBlock m_mid{nullptr};
    std::vector<VaeScaleBlock> m_up;
    VaeGroupNorm m_norm_out{nullptr};
};
TORCH_MODULE(VaeDecoder);

// image [B, in, H, W] in [-1, 1] -> moments [B, 2*latent, H/f, W/f] (mean then logvar).
class VaeEncoderImpl : public torch::nn::Module {
public:
    VaeEncoderImpl(const VaeConfig& config, const Numerics& nx);
    torch::Tensor forward(const torch::Tensor& image, const VaeHook& hook = {});

private:
    VaeConv2d m_conv_in{nullptr}, m_conv_out{nullptr};
    VaeMidBlock m_mid{nullptr};
    std::vector<VaeScaleBlock> m_down;
    VaeGroupNorm m_norm_out{nullptr};
};
TORCH_MODULE(VaeEncoder);

}  // namespace studio
