#include "studio/text/Gemma3Text.h"

#include <cmath>

#include "TextModules.h"
#include "studio/Errors.h"
#include "studio/LayerStream.h"

namespace studio {

namespace text_detail {

// One Gemma3 decoder layer: attention with q/k RMSNorm and GQA, gated tanh-GELU MLP, and
// (1 + w) RMSNorms before and after both.
class GemmaLayerImpl : public torch::nn::Module {
public:
    GemmaLayerImpl(const GemmaConfig& c, const Numerics& nx) : m_c(c), m_nx(nx) {
        const int64_t h = c.hidden_size, d = c.head_dim;
        auto attn = register_module("self_attn", make_group());
        q_proj = attn->register_module("q_proj", make_params({c.num_heads * d, h}, {}, nx));
        k_proj = attn->register_module("k_proj", make_params({c.num_kv_heads * d, h}, {}, nx));
        v_proj = attn->register_module("v_proj", make_params({c.num_kv_heads * d, h}, {}, nx));
        o_proj = attn->register_module("o_proj", make_params({h, c.num_heads * d}, {}, nx));
        q_norm = attn->register_module("q_norm", make_params({d}, {}, nx));
        k_norm = attn->register_module("k_norm", make_params({d}, {}, nx));
        auto mlp = register_module("mlp", make_group());
        gate_proj = mlp->register_module("gate_proj", make_params({c.intermediate_size, h}, {}, nx));
        up_proj = mlp->register_module("up_proj", make_params({c.intermediate_size, h}, {}, nx));
        down_proj = mlp->register_module("down_proj", make_params({h, c.intermediate_size}, {}, nx));
        input_layernorm = register_module("input_layernorm", make_params({h}, {}, nx));
        post_attention_layernorm = register_module("post_attention_layernorm", make_params({h}, {}, nx));
        pre_feedforward_layernorm = register_module("pre_feedforward_layernorm", make_params({h}, {}, nx));
        post_feedforward_layernorm = register_module("post_feedforward_layernorm", make_params({h}, {}, nx));
    }

    // h [B,L,hidden]; mask bool [B,1,L,L] (true = may attend).
    torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask, const RopeTables& rope) {
        auto x = norm(h, input_layernorm);
        x = norm(attention_block(x, mask, rope), post_attention_layernorm);
        auto out = m_nx.q(h + x);
        x = norm(out, pre_feedforward_layernorm);
        const auto gate = m_nx.q(torch::gelu(linear(x, gate_proj, m_nx), "tanh"));
        x = linear(m_nx.q(gate * linear(x, up_proj, m_nx)), down_proj, m_nx);
        return m_nx.q(out + norm(x, post_feedforward_layernorm));
    }

    Params q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr}, q_norm{nullptr}, k_norm{nullptr};
    Params gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
    Params input_layernorm{nullptr}, post_attention_layernorm{nullptr};
    Params pre_feedforward_layernorm{nullptr}, post_feedforward_layernorm{nullptr};

private:
    torch::Tensor norm(const torch::Tensor& x, const Params& p) const {
        return trace(*p, SiteKind::Norm, rms_norm(x, p->weight, m_c.rms_eps, m_nx, /*one_plus_weight=*/true), p->weight, x);
    }

    torch::Tensor attention_block(const torch::Tensor& x, const torch::Tensor& mask, const RopeTables& rope) {
        const int64_t b = x.size(0), l = x.size(1), d = m_c.head_dim;
        auto q = norm(linear(x, q_proj, m_nx).view({b, l, m_c.num_heads, d}), q_norm).transpose(1, 2);
        auto k = norm(linear(x, k_proj, m_nx).view({b, l, m_c.num_kv_heads, d}), k_norm).transpose(1, 2);
        auto v = linear(x, v_proj, m_nx).view({b, l, m_c.num_kv_heads, d}).transpose(1, 2);
        q = apply_rope(q, rope, m_nx);
        k = apply_rope(k, rope, m_nx);
        if (m_c.num_kv_heads != m_c.num_heads) {
            // GQA: kv head j serves query heads j*rep .. j*rep+rep-1.
            const int64_t rep = m_c.num_heads / m_c.num_kv_heads;
            k = k.repeat_interleave(rep, 1);
            v = v.repeat_interleave(rep, 1);
        }
        const double scale = 1.0 / std::sqrt(m_c.query_pre_attn_scalar);
        auto o = trace(*this, SiteKind::Attention, studio::attention(q, k, v, mask, scale, m_nx), {}, q);
        return linear(o.transpose(1, 2).reshape({b, l, m_c.num_heads * d}), o_proj, m_nx);
    }

    GemmaConfig m_c;
    Numerics m_nx;
};

}  // namespace text_detail

using namespace text_detail;

Gemma3TextImpl::Gemma3TextImpl(const GemmaConfig& config, const Numerics& nx, int64_t layers_built)
    : m_config(config), m_nx(nx) {
    m_config.validate();
    if (layers_built < 0 || layers_built > m_config.num_layers) layers_built = m_config.num_layers;
    m_embed = register_module("embed_tokens", make_params({m_config.vocab_size, m_config.hidden_size}, {}, nx));
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < layers_built; ++i) {
        m_layers.push_back(std::make_shared<GemmaLayerImpl>(m_config, nx));
        list->push_back(m_layers.back());
    }
    register_module("layers", list);
    if (layers_built == m_config.num_layers)
        m_norm = register_module("norm", make_params({m_config.hidden_size}, {}, nx));
}

torch::Tensor Gemma3TextImpl::run(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                  int64_t layers, std::vector<torch::Tensor>* collect) {
    ComputeScope compute(m_nx);
    if (layers < 0) layers = m_config.num_layers;
    if (layers > layers_built())
        throw StudioError("Gemma3: " + std::to_string(layers) + " layers requested but only " +
                          std::to_string(layers_built()) + " were loaded");
    const auto ids = text_detail::checked_ids(input_ids, m_config.vocab_size, m_nx.device, "Gemma3");
    const int64_t b = ids.size(0), l = ids.size(1);
    torch::Tensor valid;
    if (attention_mask.defined()) {
        if (attention_mask.sizes() != ids.sizes())
            throw TokenizerError("Gemma3: attention_mask must have the shape of input_ids");
        valid = attention_mask.to(m_nx.device).ne(0);
    } else {
        valid = torch::ones({b, l}, torch::TensorOptions().dtype(torch::kBool).device(m_nx.device));
    }
    const auto pad_rows = valid.logical_not().unsqueeze(-1);

    // Like transformers, the sqrt(hidden) scale is first cast to the weights' dtype.
    const double scale = m_config.scale_embeddings
                             ? torch::scalar_tensor(std::sqrt(static_cast<double>(m_config.hidden_size)))
                                   .to(m_nx.storage())
                                   .item<double>()
                             : 1.0;
    auto h = m_nx.q(torch::embedding(m_embed->weight, ids) * scale).masked_fill(pad_rows, 0);

    // Causal + key padding; sliding layers also hide keys j <= i - window.
    const auto pos = torch::arange(l, torch::TensorOptions().dtype(torch::kInt64).device(m_nx.device));
    const auto causal = pos.unsqueeze(0).le(pos.unsqueeze(1));  // [L,L]: key j <= query i
    const auto keys = valid.view({b, 1, 1, l});
    const auto global_mask = causal.unsqueeze(0).unsqueeze(0).logical_and(keys);
    const auto in_window = pos.unsqueeze(0).gt(pos.unsqueeze(1) - m_config.sliding_window);
    const auto local_mask = global_mask.logical_and(in_window);
    const auto rope_global = text_detail::rope_tables(l, m_config.head_dim, m_config.rope_global_theta,
                                                      m_config.rope_global_scaling, m_nx);
    const auto rope_local = text_detail::rope_tables(l, m_config.head_dim, m_config.rope_local_theta, 1.0, m_nx);

    for (int64_t i = 0; i < layers; ++i) {
        if (collect) collect->push_back(h);
        const bool global = m_config.layer_is_global[i];
        auto& layer = *m_layers[i];
        h = trace(layer, SiteKind::Block, run_block(layer, m_nx.device, [&] {
                      return layer.forward(h, global ? global_mask : local_mask, global ? rope_global : rope_local);
                  }));
        // Pad rows carry no meaning; zeroing them keeps inf/NaN from reaching valid rows
        // through 0 * NaN in later attention products.
        h = h.masked_fill(pad_rows, 0);
    }
    if (collect) {
        if (layers == m_config.num_layers && m_norm)
            collect->push_back(rms_norm(h, m_norm->weight, m_config.rms_eps, m_nx, true).masked_fill(pad_rows, 0));
        else
            collect->push_back(h);
    }
    return h;
}

torch::Tensor Gemma3TextImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                      int64_t layers) {
    return run(input_ids, attention_mask, layers, nullptr);
}

std::vector<torch::Tensor> Gemma3TextImpl::hidden_states(const torch::Tensor& input_ids,
                                                         const torch::Tensor& attention_mask, int64_t layers) {
    std::vector<torch::Tensor> out;
    run(input_ids, attention_mask, layers, &out);
    return out;
}

torch::Tensor gemma_caption_features(Gemma3Text& model, const torch::Tensor& input_ids,
                                     const torch::Tensor& attention_mask) {
    return model->forward(input_ids, attention_mask, model->config().num_layers - 1);
}

}  // namespace studio
