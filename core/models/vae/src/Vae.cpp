// Decode / encode entry points and the latent preview.
#include "studio/vae/Vae.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "studio/Errors.h"

namespace studio {

namespace {

std::string shape_of(const torch::Tensor& x) {
    std::string s = "[";
    for (int64_t i = 0; i < x.dim(); ++i) s += (i ? ", " : "") + std::to_string(x.size(i));
    return s + "]";
}

void check_input(const torch::Tensor& x, int64_t channels, const char* what) {
    if (!x.defined() || x.dim() != 4 || x.size(1) != channels || x.size(0) == 0 || x.size(2) == 0 || x.size(3) == 0)
        throw StudioError(std::string("VAE ") + what + " must be [B, " + std::to_string(channels) +
                          ", H, W] with nonzero sizes, got " + (x.defined() ? shape_of(x) : std::string("nothing")));
    if (!x.is_floating_point()) throw StudioError(std::string("VAE ") + what + " must be a floating-point tensor");
}

}  // namespace

torch::Tensor vae_decode_raw(Vae& vae, const torch::Tensor& latent, const VaeHook& hook) {
    if (!vae.decoder) throw StudioError("the VAE decoder is not loaded");
    check_input(latent, vae.config.latent_channels, "latent");
    at::InferenceMode guard;
    ComputeScope compute(vae.nx);
    // The pipeline unscales in the sampler's fp32 before the VAE casts to its own dtype.
    auto z = latent.to(vae.nx.device, torch::kFloat32) / vae.config.scaling_factor + vae.config.shift_factor;
    z = vae.nx.in(z);
    if (vae.post_quant_conv) z = vae.post_quant_conv->forward(z);
    return vae.decoder->forward(z, hook);
}

torch::Tensor vae_decode_image(Vae& vae, const torch::Tensor& latent) {
    auto raw = vae_decode_raw(vae, latent);
    at::InferenceMode guard;
    return raw.to(torch::kFloat32).add_(1.0).div_(2.0).clamp_(0.0, 1.0);
}

VaePosterior vae_encode(Vae& vae, const torch::Tensor& image_m11, const VaeHook& hook) {
    if (!vae.encoder) throw StudioError("the VAE encoder is not loaded (load the VAE with its encoder)");
    check_input(image_m11, vae.config.in_channels, "image");
    at::InferenceMode guard;
    ComputeScope compute(vae.nx);
    auto moments = vae.encoder->forward(vae.nx.in(image_m11), hook);
    if (vae.quant_conv) moments = vae.quant_conv->forward(moments);
    auto parts = moments.chunk(2, 1);
    return VaePosterior{parts[0].contiguous(), parts[1].clamp(-30.0, 20.0).contiguous()};
}

torch::Tensor vae_encode_latent(Vae& vae, const torch::Tensor& image_m11) {
    const auto post = vae_encode(vae, image_m11);
    at::InferenceMode guard;
    return (post.mean.to(torch::kFloat32) - vae.config.shift_factor) * vae.config.scaling_factor;
}

namespace {

// FLUX.1 latent -> RGB factors [16][3] and bias, as used by common previewers (sampler latent space).
constexpr float kFluxRgbFactors[16][3] = {
    {-0.0346f, 0.0244f, 0.0681f},  {0.0034f, 0.0210f, 0.0687f},   {0.0275f, -0.0668f, -0.0433f},
    {-0.0174f, 0.0160f, 0.0617f},  {0.0859f, 0.0721f, 0.0329f},   {0.0004f, 0.0383f, 0.0115f},
    {0.0405f, 0.0861f, 0.0915f},   {-0.0236f, -0.0185f, -0.0259f}, {-0.0245f, 0.0250f, 0.1180f},
    {0.1008f, 0.0755f, -0.0421f},  {-0.0515f, 0.0201f, 0.0011f},  {0.0428f, -0.0012f, -0.0036f},
    {0.0817f, 0.0765f, 0.0749f},   {-0.1264f, -0.0522f, -0.1103f}, {-0.0280f, -0.0881f, -0.0499f},
    {-0.1262f, -0.0982f, -0.0778f}};
constexpr float kFluxRgbBias[3] = {-0.0329f, -0.0718f, -0.0851f};

}  // namespace

torch::Tensor latent_preview_rgb(const torch::Tensor& latent_1chw) {
    if (!latent_1chw.defined() || (latent_1chw.dim() != 3 && latent_1chw.dim() != 4) ||
        (latent_1chw.dim() == 4 && latent_1chw.size(0) < 1))
        throw StudioError("latent preview needs a [1, C, H, W] or [C, H, W] latent, got " +
                          (latent_1chw.defined() ? shape_of(latent_1chw) : std::string("nothing")));
    at::InferenceMode guard;
    auto x = (latent_1chw.dim() == 4 ? latent_1chw[0] : latent_1chw).to(torch::kCPU, torch::kFloat32);
    const int64_t channels = x.size(0);
    const auto finite = x.isfinite().all(0);  // [H, W]
    x = x.nan_to_num(0.0, 0.0, 0.0);

    torch::Tensor factors, bias;
    if (channels == 16) {
        factors = torch::from_blob(const_cast<float*>(&kFluxRgbFactors[0][0]), {16, 3}, torch::kFloat32).clone();
        bias = torch::from_blob(const_cast<float*>(kFluxRgbBias), {3}, torch::kFloat32).clone();
    } else {
        // Fixed projection so other latent spaces still show structure; same seed every call.
        auto gen = at::detail::createCPUGenerator(0x5EED);
        factors = torch::randn({channels, 3}, gen, torch::kFloat32) * (0.5 / std::sqrt(std::max<int64_t>(channels, 1)));
        bias = torch::zeros({3});
    }
    auto rgb = torch::matmul(x.permute({1, 2, 0}), factors) + bias;  // [H, W, 3] in about [-1, 1]
    rgb = ((rgb + 1.0) * 0.5).clamp(0.0, 1.0).mul(255.0).round();
    rgb = torch::where(finite.unsqueeze(-1), rgb, torch::full({}, 128.0f));
    return rgb.to(torch::kUInt8).contiguous();
}

}  // namespace studio
