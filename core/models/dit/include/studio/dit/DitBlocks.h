#pragma once
// Building blocks of Next-DiT. Sub-module and parameter names equal the checkpoint keys
// (original NextDiT naming), so weights load by name. Parameters start uninitialised
// (torch::empty: no memory is touched) and are replaced at load.
// Every forward takes the module's Numerics and rounds each op's output with nx.q().
#include <torch/torch.h>

#include "studio/Numerics.h"
#include "studio/dit/DitConfig.h"
#include "studio/dit/DitRope.h"

namespace studio {

// Which keys each sequence may attend to.
struct KeyMask {
    torch::Tensor mask;            // [B, S] bool, true = may be attended; undefined = every key
    std::vector<int64_t> lengths;  // per-sample valid prefix, when `mask` is right padding
    bool all() const { return !mask.defined(); }
    // Drops an all-true mask and finds the prefix lengths of a right-padding mask.
    static KeyMask from_mask(const torch::Tensor& mask);
};

// nn.Linear without its initialisation cost.
class DenseImpl : public torch::nn::Module {
public:
    DenseImpl(int64_t in, int64_t out, bool bias);
    torch::Tensor forward(const torch::Tensor& x, const Numerics& nx);
    torch::Tensor weight, bias;
};
TORCH_MODULE(Dense);

// RMSNorm: statistics in fp32, cast back, times `weight` (not 1 + weight).
class RmsNormImpl : public torch::nn::Module {
public:
    RmsNormImpl(int64_t dim, double eps);
    torch::Tensor forward(const torch::Tensor& x, const Numerics& nx);
    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RmsNorm);

// SwiGLU: w2(silu(w1 x) * w3 x), no biases.
class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int64_t dim, int64_t hidden);
    torch::Tensor forward(const torch::Tensor& x, const Numerics& nx);
    Dense w1{nullptr}, w2{nullptr}, w3{nullptr};
};
TORCH_MODULE(FeedForward);

// Fused-qkv GQA self-attention with q/k RMSNorm and 3-axis RoPE. Query head h uses kv head
// h / n_rep; the kv heads are never repeated: queries are grouped per kv head instead.
class JointAttentionImpl : public torch::nn::Module {
public:
    explicit JointAttentionImpl(const DitConfig& c);
    // x [B, S, dim]. Right padding is handled by slicing the keys of each sample (no mask, so
    // fused kernels apply); other masks go to studio::attention as they are.
    torch::Tensor forward(const torch::Tensor& x, const KeyMask& keys, const RopeTables& rope, const Numerics& nx);
    Dense qkv{nullptr}, out{nullptr};
    RmsNorm q_norm{nullptr}, k_norm{nullptr};
    // Where attention materialises its scores, queries run in chunks of at most this many bytes.
    int64_t score_budget_bytes{int64_t{256} << 20};

private:
    torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& mask, const Numerics& nx) const;
    int64_t m_heads, m_kv_heads, m_head_dim;
};
TORCH_MODULE(JointAttention);

// JointTransformerBlock: sandwich norms; modulated blocks scale (1 + s) after the pre-norms
// and gate the residual branches with tanh(g).
class JointBlockImpl : public torch::nn::Module {
public:
    JointBlockImpl(const DitConfig& c, bool modulated);
    // silu_c: SiLU of the adaLN input [B, adaln_dim] (modulated blocks only).
    torch::Tensor forward(const torch::Tensor& x, const KeyMask& keys, const RopeTables& rope,
                          const torch::Tensor& silu_c, const Numerics& nx);
    bool modulated() const { return static_cast<bool>(adaln); }

    JointAttention attention{nullptr};
    FeedForward feed_forward{nullptr};
    RmsNorm attention_norm1{nullptr}, attention_norm2{nullptr}, ffn_norm1{nullptr}, ffn_norm2{nullptr};
    Dense adaln{nullptr};  // "adaLN_modulation.1"
};
TORCH_MODULE(JointBlock);

// LayerNorm (no affine, eps 1e-6) * (1 + scale) -> Linear to patch pixels.
class FinalLayerImpl : public torch::nn::Module {
public:
    explicit FinalLayerImpl(const DitConfig& c);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& silu_c, const Numerics& nx);
    Dense linear{nullptr};
    Dense adaln{nullptr};  // "adaLN_modulation.1"
};
TORCH_MODULE(FinalLayer);

// Sinusoidal embedding of t in [0, 1] (no x1000; cos half first) -> Linear, SiLU, Linear.
class TimestepEmbedderImpl : public torch::nn::Module {
public:
    explicit TimestepEmbedderImpl(int64_t out_dim, int64_t freq_dim = 256);
    torch::Tensor forward(const torch::Tensor& t, const Numerics& nx);
    Dense linear1{nullptr}, linear2{nullptr};  // "mlp.0", "mlp.2"

private:
    int64_t m_freq_dim;
};
TORCH_MODULE(TimestepEmbedder);

// An empty module that only groups numbered children ("adaLN_modulation" -> "1").
std::shared_ptr<torch::nn::Module> register_group(torch::nn::Module& parent, const std::string& name);

}  // namespace studio
