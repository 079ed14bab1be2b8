#pragma once
// Building blocks of the AutoencoderKL, named like diffusers' modules so that parameter
// paths equal the checkpoint keys. Each block rounds every op's output through nx.q().
// Parameters start as zeros and are replaced by load_module_weights.
#include <torch/torch.h>

#include <vector>

#include "studio/Numerics.h"

namespace studio {

// Conv2d with symmetric padding; "weight" [out,in,k,k], "bias" [out].
class VaeConv2dImpl : public torch::nn::Module {
public:
    VaeConv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, const Numerics& nx);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight, bias;

private:
    int64_t m_stride;
    int64_t m_padding;
    Numerics m_nx;
};
TORCH_MODULE(VaeConv2d);

// Linear over the last dim; "weight" [out,in], "bias" [out].
class VaeLinearImpl : public torch::nn::Module {
public:
    VaeLinearImpl(int64_t in, int64_t out, const Numerics& nx);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight, bias;

private:
    Numerics m_nx;
};
TORCH_MODULE(VaeLinear);

// GroupNorm (eps 1e-6) over [B,C,...]: statistics and affine in fp32, then cast to the input dtype.
class VaeGroupNormImpl : public torch::nn::Module {
public:
    VaeGroupNormImpl(int64_t groups, int64_t channels, const Numerics& nx, double eps = 1e-6);
    torch::Tensor forward(const torch::Tensor& x);
    // forward() followed by SiLU, saving one full-size temporary.
    torch::Tensor forward_silu(const torch::Tensor& x);

    torch::Tensor weight, bias;

private:
    torch::Tensor normalized_fp32(const torch::Tensor& x);
    int64_t m_groups;
    double m_eps;
    Numerics m_nx;
};
TORCH_MODULE(VaeGroupNorm);

// diffusers ResnetBlock2D: norm1 -> SiLU -> conv1 -> norm2 -> SiLU -> conv2, + (1x1 shortcut) input.
class VaeResnetBlockImpl : public torch::nn::Module {
public:
    VaeResnetBlockImpl(int64_t in, int64_t out, int64_t groups, const Numerics& nx);
    torch::Tensor forward(const torch::Tensor& x);

private:
    VaeGroupNorm m_norm1{nullptr}, m_norm2{nullptr};
    VaeConv2d m_conv1{nullptr}, m_conv2{nullptr}, m_shortcut{nullptr};
    Numerics m_nx;
};
TORCH_MODULE(VaeResnetBlock);

// Single-head spatial self-attention with a residual (diffusers Attention in UNetMidBlock2D).
// Queries run in chunks so that no score matrix exceeds `max_score_elements` (the mid block of
// a 1024x1024 decode has 16384 tokens: a 1 GiB fp32 score matrix in one piece).
class VaeAttentionImpl : public torch::nn::Module {
public:
    static constexpr int64_t kDefaultMaxScoreElements = int64_t{1} << 26;
    VaeAttentionImpl(int64_t channels, int64_t groups, const Numerics& nx,
                     int64_t max_score_elements = kDefaultMaxScoreElements);
    torch::Tensor forward(const torch::Tensor& x);

private:
    VaeGroupNorm m_norm{nullptr};
    VaeLinear m_q{nullptr}, m_k{nullptr}, m_v{nullptr}, m_out{nullptr};
    Numerics m_nx;
    int64_t m_max_score_elements;
};
TORCH_MODULE(VaeAttention);

// resnets.0 -> attentions.0 (optional) -> resnets.1
class VaeMidBlockImpl : public torch::nn::Module {
public:
    VaeMidBlockImpl(int64_t channels, int64_t groups, bool attention, const Numerics& nx);
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<VaeResnetBlock> m_resnets;
    VaeAttention m_attention{nullptr};
};
TORCH_MODULE(VaeMidBlock);

// Holds the "conv" of diffusers' Upsample2D / Downsample2D.
class VaeResampleImpl : public torch::nn::Module {
public:
    enum class Kind { Up, Down };
    VaeResampleImpl(Kind kind, int64_t channels, const Numerics& nx);
    // Up: nearest 2x then conv3x3 (pad 1). Down: zero-pad (0,1,0,1) then conv3x3 stride 2.
    torch::Tensor forward(const torch::Tensor& x);

private:
    Kind m_kind;
    VaeConv2d m_conv{nullptr};
};
TORCH_MODULE(VaeResample);

// UpDecoderBlock2D (resnets + upsamplers) or DownEncoderBlock2D (resnets + downsamplers).
class VaeScaleBlockImpl : public torch::nn::Module {
public:
    VaeScaleBlockImpl(VaeResampleImpl::Kind kind, int64_t in, int64_t out, int64_t num_resnets, bool resample,
                      int64_t groups, const Numerics& nx);
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<VaeResnetBlock> m_resnets;
    VaeResample m_resample{nullptr};
};
TORCH_MODULE(VaeScaleBlock);

}  // namespace studio
