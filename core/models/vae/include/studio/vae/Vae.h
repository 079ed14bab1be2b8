#pragma once
// The FLUX AutoencoderKL as the pipeline uses it: load (diffusers or BFL ae.safetensors naming),
// decode sampler latents to images, encode images to latents, random weights, and a cheap
// latent preview.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "studio/ModelFolder.h"
#include "studio/Numerics.h"
#include "studio/vae/VaeConfig.h"
#include "studio/vae/VaeModel.h"

namespace studio {

struct Vae {
    VaeConfig config;
    VaeDecoder decoder{nullptr};
    VaeEncoder encoder{nullptr};  // null unless loaded with load_encoder = true
    Numerics nx;
    // 1x1 convs some AutoencoderKL checkpoints have (not FLUX); null when the config has none.
    VaeConv2d quant_conv{nullptr};
    VaeConv2d post_quant_conv{nullptr};
};

// Checkpoint naming schemes a VAE file may use.
enum class VaeNaming { Diffusers, Bfl };

// Loads a VAE component folder. The config comes from config.json; without one it is inferred
// from the weights with FLUX.1 defaults (norm groups 32, scaling 0.3611, shift 0.1159).
// Diffusers names or the BFL ae.safetensors names (mid.block_1, attn_1.{q,k,v,proj_out} as 1x1
// convs, up.{N-1..0} reversed, nin_shortcut, ...) are accepted; keys may carry a "vae." or
// "first_stage_model." prefix. load_encoder = false skips the encoder weights.
// Throws ModelLoadError naming the file and tensor on a missing tensor or shape mismatch.
Vae load_vae(const ComponentFiles& component, const Numerics& nx, bool load_encoder = false);

// Builds the modules for `config` and loads them from `weights` (name -> tensor, either naming).
// Used by load_vae; also handy for in-memory weights (random init, tests).
Vae make_vae(const VaeConfig& config, const std::vector<std::pair<std::string, torch::Tensor>>& weights,
             const Numerics& nx, bool load_encoder = false);

// Sampler latent [B, C, h, w] -> decoder(latent / scaling + shift) = raw output [B, 3, H, W]
// in nx.compute(). The scaling happens in fp32 before the cast to the VAE's precision.
torch::Tensor vae_decode_raw(Vae& vae, const torch::Tensor& latent, const VaeHook& hook = {});
// Image in [0, 1] as float32 [B, 3, H, W]: clamp((raw + 1) / 2, 0, 1).
torch::Tensor vae_decode_image(Vae& vae, const torch::Tensor& latent);

// Image in [-1, 1] [B, 3, H, W] -> posterior (logvar clamped to [-30, 20]), in nx.compute().
struct VaePosterior {
    torch::Tensor mean, logvar;
};
VaePosterior vae_encode(Vae& vae, const torch::Tensor& image_m11, const VaeHook& hook = {});
// Training-side latent (mode of the posterior): (mean - shift) * scaling, float32.
torch::Tensor vae_encode_latent(Vae& vae, const torch::Tensor& image_m11);

// Random fp32 weights under diffusers names (conv/linear ~ N(0, 1/fan_in), norms ~ 1 + N(0, 0.1)),
// deterministic for a seed.
std::vector<std::pair<std::string, torch::Tensor>> random_vae_weights(const VaeConfig& c, uint64_t seed);

// Renames one diffusers key to the BFL ae.safetensors name (blocks = len(block_out_channels)).
// Returns "" for keys BFL has no counterpart for.
std::string vae_bfl_key(const std::string& diffusers_key, int64_t blocks);

// Cheap preview of a sampler latent [1, C, h, w] or [C, h, w]: a linear projection to RGB
// (the FLUX latent RGB factors for C = 16, a fixed pseudo-random projection otherwise),
// mapped from [-1, 1] to uint8 RGB [h, w, 3] on the CPU. Non-finite values show as grey.
torch::Tensor latent_preview_rgb(const torch::Tensor& latent_1chw);

}  // namespace studio
