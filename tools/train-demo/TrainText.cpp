#include "TrainText.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace studio::demo {

namespace {
std::shared_ptr<torch::nn::Module> group(torch::nn::Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

Weights weights(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape = {}) {
    return Weights(std::make_shared<WeightsImpl>(weight_shape, bias_shape));
}

torch::Tensor linear(const torch::Tensor& x, const Weights& w, const Numerics& nx) {
    return nx.q(torch::linear(x, w->weight, w->bias));
}

torch::Tensor layer_norm(const torch::Tensor& x, const Weights& w, double eps, const Numerics& nx) {
    const auto y = torch::layer_norm(x.to(torch::kFloat32), {x.size(-1)}, w->weight.to(torch::kFloat32),
                                     w->bias.to(torch::kFloat32), eps);
    return nx.q(y.to(x.scalar_type()));
}

// Rotate-half RoPE tables [L, dim] as core's text encoders build them (fp32 angles).
std::pair<torch::Tensor, torch::Tensor> rope(int64_t length, int64_t dim, double theta, double factor,
                                             const Numerics& nx) {
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(nx.device);
    const auto exponent = torch::arange(0, dim, 2, f32.dtype(torch::kInt64)).to(torch::kFloat32) / static_cast<double>(dim);
    auto inv_freq = 1.0 / torch::pow(theta, exponent);
    if (factor != 1.0) inv_freq = inv_freq / factor;
    const auto freqs = torch::outer(torch::arange(length, f32), inv_freq);
    const auto emb = torch::cat({freqs, freqs}, -1);
    return {nx.q(emb.cos().to(nx.compute())), nx.q(emb.sin().to(nx.compute()))};
}

torch::Tensor apply_rope(const torch::Tensor& x, const std::pair<torch::Tensor, torch::Tensor>& t, const Numerics& nx) {
    const int64_t half = x.size(-1) / 2;
    const auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
    return nx.q(nx.q(x * t.first) + nx.q(rotated * t.second));
}
}  // namespace

WeightsImpl::WeightsImpl(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape) {
    weight = register_parameter("weight", torch::zeros(weight_shape));
    if (!bias_shape.empty()) bias = register_parameter("bias", torch::zeros(bias_shape));
}

class TrainGemmaLayerImpl : public torch::nn::Module {
public:
    TrainGemmaLayerImpl(const GemmaConfig& c, const Numerics& nx) : m_c(c), m_nx(nx) {
        const int64_t h = c.hidden_size, d = c.head_dim;
        auto attn = group(*this, "self_attn");
        q_proj = attn->register_module("q_proj", weights({c.num_heads * d, h}));
        k_proj = attn->register_module("k_proj", weights({c.num_kv_heads * d, h}));
        v_proj = attn->register_module("v_proj", weights({c.num_kv_heads * d, h}));
        o_proj = attn->register_module("o_proj", weights({h, c.num_heads * d}));
        q_norm = attn->register_module("q_norm", weights({d}));
        k_norm = attn->register_module("k_norm", weights({d}));
        auto mlp = group(*this, "mlp");
        gate_proj = mlp->register_module("gate_proj", weights({c.intermediate_size, h}));
        up_proj = mlp->register_module("up_proj", weights({c.intermediate_size, h}));
        down_proj = mlp->register_module("down_proj", weights({h, c.intermediate_size}));
        input_layernorm = register_module("input_layernorm", weights({h}));
        post_attention_layernorm = register_module("post_attention_layernorm", weights({h}));
        pre_feedforward_layernorm = register_module("pre_feedforward_layernorm", weights({h}));
        post_feedforward_layernorm = register_module("post_feedforward_layernorm", weights({h}));
    }

    torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask,
                          const std::pair<torch::Tensor, torch::Tensor>& rope_t) {
        const int64_t b = h.size(0), l = h.size(1), d = m_c.head_dim;
        auto x = norm(h, input_layernorm);
        auto q = norm(linear(x, q_proj, m_nx).view({b, l, m_c.num_heads, d}), q_norm).transpose(1, 2);
        auto k = norm(linear(x, k_proj, m_nx).view({b, l, m_c.num_kv_heads, d}), k_norm).transpose(1, 2);
        auto v = linear(x, v_proj, m_nx).view({b, l, m_c.num_kv_heads, d}).transpose(1, 2);
        q = apply_rope(q, rope_t, m_nx);
        k = apply_rope(k, rope_t, m_nx);
        if (m_c.num_kv_heads != m_c.num_heads) {
            const int64_t rep = m_c.num_heads / m_c.num_kv_heads;
            k = k.repeat_interleave(rep, 1);
            v = v.repeat_interleave(rep, 1);
        }
        auto o = attention(q, k, v, mask, 1.0 / std::sqrt(m_c.query_pre_attn_scalar), m_nx);
        o = linear(o.transpose(1, 2).reshape({b, l, m_c.num_heads * d}), o_proj, m_nx);
        auto out = m_nx.q(h + norm(o, post_attention_layernorm));
        x = norm(out, pre_feedforward_layernorm);
        const auto gate = m_nx.q(torch::gelu(linear(x, gate_proj, m_nx), "tanh"));
        x = linear(m_nx.q(gate * linear(x, up_proj, m_nx)), down_proj, m_nx);
        return m_nx.q(out + norm(x, post_feedforward_layernorm));
    }

    Weights q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr}, q_norm{nullptr}, k_norm{nullptr};
    Weights gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
    Weights input_layernorm{nullptr}, post_attention_layernorm{nullptr};
    Weights pre_feedforward_layernorm{nullptr}, post_feedforward_layernorm{nullptr};

private:
    torch::Tensor norm(const torch::Tensor& x, const Weights& w) const {
        return rms_norm(x, w->weight, m_c.rms_eps, m_nx, /*one_plus_weight=*/true);
    }
    GemmaConfig m_c;
    Numerics m_nx;
};

TrainGemmaImpl::TrainGemmaImpl(const GemmaConfig& config, const Numerics& nx) : m_config(config), m_nx(nx) {
    m_config.validate();
    m_embed = register_module("embed_tokens", weights({m_config.vocab_size, m_config.hidden_size}));
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < m_config.num_layers; ++i) {
        m_layers.push_back(std::make_shared<TrainGemmaLayerImpl>(m_config, nx));
        list->push_back(m_layers.back());
    }
    register_module("layers", list);
    m_norm = register_module("norm", weights({m_config.hidden_size}));
}

torch::Tensor TrainGemmaImpl::caption_features(const torch::Tensor& ids_in, const torch::Tensor& mask) {
    const auto ids = ids_in.to(m_nx.device, torch::kInt64);
    const int64_t b = ids.size(0), l = ids.size(1);
    const auto valid = mask.to(m_nx.device).ne(0);
    const auto pad_rows = valid.logical_not().unsqueeze(-1);
    const double scale = m_config.scale_embeddings ? std::sqrt(static_cast<double>(m_config.hidden_size)) : 1.0;
    auto h = m_nx.q(torch::embedding(m_embed->weight, ids) * scale).masked_fill(pad_rows, 0);

    const auto pos = torch::arange(l, torch::TensorOptions().dtype(torch::kInt64).device(m_nx.device));
    const auto causal = pos.unsqueeze(0).le(pos.unsqueeze(1));
    const auto global_mask = causal.unsqueeze(0).unsqueeze(0).logical_and(valid.view({b, 1, 1, l}));
    const auto local_mask = global_mask.logical_and(pos.unsqueeze(0).gt(pos.unsqueeze(1) - m_config.sliding_window));
    const auto rope_global = rope(l, m_config.head_dim, m_config.rope_global_theta, m_config.rope_global_scaling, m_nx);
    const auto rope_local = rope(l, m_config.head_dim, m_config.rope_local_theta, 1.0, m_nx);
    for (int64_t i = 0; i + 1 < m_config.num_layers; ++i) {
        const bool global = m_config.layer_is_global[static_cast<size_t>(i)];
        h = m_layers[static_cast<size_t>(i)]->forward(h, global ? global_mask : local_mask, global ? rope_global : rope_local);
        h = h.masked_fill(pad_rows, 0);
    }
    return h;
}

class TrainJinaLayerImpl : public torch::nn::Module {
public:
    TrainJinaLayerImpl(const JinaConfig& c, const Numerics& nx) : m_c(c), m_nx(nx) {
        const int64_t h = c.hidden_size, inter = c.intermediate_size;
        auto mixer = group(*this, "mixer");
        Wqkv = mixer->register_module("Wqkv", weights({3 * h, h}, {3 * h}));
        out_proj = mixer->register_module("out_proj", weights({h, h}, {h}));
        auto mlp = group(*this, "mlp");
        fc1 = mlp->register_module("fc1", weights({inter, h}, {inter}));
        fc2 = mlp->register_module("fc2", weights({h, inter}, {h}));
        norm1 = register_module("norm1", weights({h}, {h}));
        norm2 = register_module("norm2", weights({h}, {h}));
    }

    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keys,
                          const std::pair<torch::Tensor, torch::Tensor>& rope_t) {
        const int64_t b = x.size(0), l = x.size(1), heads = m_c.num_heads, d = m_c.head_dim();
        const auto qkv = linear(x, Wqkv, m_nx).view({b, l, 3, heads, d}).permute({2, 0, 3, 1, 4});
        const auto q = apply_rope(qkv[0], rope_t, m_nx);
        const auto k = apply_rope(qkv[1], rope_t, m_nx);
        auto o = attention(q, k, qkv[2], keys, 1.0 / std::sqrt(static_cast<double>(d)), m_nx);
        o = linear(o.transpose(1, 2).reshape({b, l, heads * d}), out_proj, m_nx);
        const auto h = layer_norm(m_nx.q(x + o), norm1, m_c.layer_norm_eps, m_nx);
        const auto m = linear(m_nx.q(torch::gelu(linear(h, fc1, m_nx))), fc2, m_nx);
        return layer_norm(m_nx.q(h + m), norm2, m_c.layer_norm_eps, m_nx);
    }

    Weights Wqkv{nullptr}, out_proj{nullptr}, fc1{nullptr}, fc2{nullptr}, norm1{nullptr}, norm2{nullptr};

private:
    JinaConfig m_c;
    Numerics m_nx;
};

TrainJinaImpl::TrainJinaImpl(const JinaConfig& config, const Numerics& nx) : m_config(config), m_nx(nx) {
    m_config.validate();
    const int64_t h = m_config.hidden_size;
    auto embeddings = group(*this, "embeddings");
    m_word = embeddings->register_module("word_embeddings", weights({m_config.vocab_size, h}));
    if (m_config.type_vocab_size > 0)
        m_token_type = embeddings->register_module("token_type_embeddings",
                                                   weights({m_config.type_vocab_size, h}));
    m_emb_ln = register_module("emb_ln", weights({h}, {h}));
    auto encoder = group(*this, "encoder");
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < m_config.num_layers; ++i) {
        m_layers.push_back(std::make_shared<TrainJinaLayerImpl>(m_config, nx));
        list->push_back(m_layers.back());
    }
    encoder->register_module("layers", list);
}

torch::Tensor TrainJinaImpl::pooled(const torch::Tensor& ids_in) {
    const auto ids = ids_in.to(m_nx.device, torch::kInt64);
    const int64_t b = ids.size(0), l = ids.size(1);
    const auto not_pad = ids.ne(m_config.pad_token_id);
    auto x = torch::embedding(m_word->weight, ids);
    if (m_token_type) x = m_nx.q(x + m_token_type->weight[0]);
    x = layer_norm(x, m_emb_ln, m_config.layer_norm_eps, m_nx);
    const auto rope_t = rope(l, m_config.head_dim(), m_config.rope_base, 1.0, m_nx);
    const auto keys = not_pad.view({b, 1, 1, l});
    for (const auto& layer : m_layers) x = layer->forward(x, keys, rope_t);
    const auto mask = not_pad.unsqueeze(-1).to(torch::kFloat32);
    const auto sum = (x.to(torch::kFloat32) * mask).sum(1);
    return m_nx.q((sum / mask.sum(1).clamp_min(1.0)).to(m_nx.compute()));
}

void init_text_weights(torch::nn::Module& module, bool one_plus_norms, uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& item : module.named_parameters(true)) {
        auto& p = item.value();
        const std::string& name = item.key();
        const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        torch::Tensor v;
        if (p.dim() >= 2) v = torch::randn(p.sizes(), gen, torch::kFloat32) * 0.02;
        else if (is_bias || one_plus_norms) v = torch::zeros(p.sizes());
        else v = torch::ones(p.sizes());
        p.copy_(v.to(p.device(), p.scalar_type()));
    }
}

}  // namespace studio::demo
