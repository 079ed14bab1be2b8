#include "studio/text/JinaText.h"

#include <cmath>

#include "TextModules.h"
#include "studio/Errors.h"

namespace studio {

namespace text_detail {

// One post-LN block: norm1(x + attn(x)), norm2(x + fc2(gelu(fc1(x)))).
class JinaLayerImpl : public torch::nn::Module {
public:
    JinaLayerImpl(const JinaConfig& c, const Numerics& nx) : m_c(c), m_nx(nx) {
        const int64_t h = c.hidden_size, inter = c.intermediate_size;
        auto mixer = register_module("mixer", make_group());
        Wqkv = mixer->register_module("Wqkv", make_params({3 * h, h}, {3 * h}, nx));
        out_proj = mixer->register_module("out_proj", make_params({h, h}, {h}, nx));
        auto mlp = register_module("mlp", make_group());
        fc1 = mlp->register_module("fc1", make_params({inter, h}, {inter}, nx));
        fc2 = mlp->register_module("fc2", make_params({h, inter}, {h}, nx));
        norm1 = register_module("norm1", make_params({h}, {h}, nx));
        norm2 = register_module("norm2", make_params({h}, {h}, nx));
    }

    // x [B,L,hidden]; keys bool [B,1,1,L] (true = real token).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keys, const RopeTables& rope) {
        const int64_t b = x.size(0), l = x.size(1), heads = m_c.num_heads, d = m_c.head_dim();
        // Wqkv's output is laid out (three, heads, head_dim).
        const auto qkv = linear(x, Wqkv, m_nx).view({b, l, 3, heads, d}).permute({2, 0, 3, 1, 4});
        const auto q = apply_rope(qkv[0], rope, m_nx);
        const auto k = apply_rope(qkv[1], rope, m_nx);
        auto o = trace(*this, SiteKind::Attention, studio::attention(q, k, qkv[2], keys, 1.0 / std::sqrt(static_cast<double>(d)), m_nx), {}, q);
        o = linear(o.transpose(1, 2).reshape({b, l, heads * d}), out_proj, m_nx);
        const auto h = layer_norm(m_nx.q(x + o), norm1, m_c.layer_norm_eps, m_nx);
        const auto m = linear(m_nx.q(torch::gelu(linear(h, fc1, m_nx))), fc2, m_nx);
        return layer_norm(m_nx.q(h + m), norm2, m_c.layer_norm_eps, m_nx);
    }

    Params Wqkv{nullptr}, out_proj{nullptr}, fc1{nullptr}, fc2{nullptr}, norm1{nullptr}, norm2{nullptr};

private:
    JinaConfig m_c;
    Numerics m_nx;
};

}  // namespace text_detail

using namespace text_detail;

JinaTextImpl::JinaTextImpl(const JinaConfig& config, const Numerics& nx) : m_config(config), m_nx(nx) {
    m_config.validate();
    const int64_t h = m_config.hidden_size;
    auto embeddings = register_module("embeddings", make_group());
    m_word = embeddings->register_module("word_embeddings", make_params({m_config.vocab_size, h}, {}, nx));
    if (m_config.type_vocab_size > 0)
        m_token_type =
            embeddings->register_module("token_type_embeddings", make_params({m_config.type_vocab_size, h}, {}, nx));
    m_emb_ln = register_module("emb_ln", make_params({h}, {h}, nx));
    auto encoder = register_module("encoder", make_group());
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < m_config.num_layers; ++i) {
        m_layers.push_back(std::make_shared<JinaLayerImpl>(m_config, nx));
        list->push_back(m_layers.back());
    }
    encoder->register_module("layers", list);
}

torch::Tensor JinaTextImpl::run(const torch::Tensor& input_ids, std::vector<torch::Tensor>* collect) {
    ComputeScope compute(m_nx);
    const auto ids = checked_ids(input_ids, m_config.vocab_size, m_nx.device, "Jina CLIP");
    const int64_t b = ids.size(0), l = ids.size(1);
    const auto keys = ids.ne(m_config.pad_token_id).view({b, 1, 1, l});

    // word + token_type(0), no absolute positions (RoPE in every layer).
    auto x = torch::embedding(m_word->weight, ids);
    if (m_token_type) x = m_nx.q(x + m_token_type->weight[0]);
    x = layer_norm(x, Params(m_emb_ln), m_config.layer_norm_eps, m_nx);
    const auto rope = rope_tables(l, m_config.head_dim(), m_config.rope_base, 1.0, m_nx);
    for (const auto& layer : m_layers) {
        if (collect) collect->push_back(x);
        x = trace(*layer, SiteKind::Block, layer->forward(x, keys, rope));
    }
    if (collect) collect->push_back(x);
    return x;
}

torch::Tensor JinaTextImpl::forward(const torch::Tensor& input_ids) { return run(input_ids, nullptr); }

std::vector<torch::Tensor> JinaTextImpl::hidden_states(const torch::Tensor& input_ids) {
    std::vector<torch::Tensor> out;
    run(input_ids, &out);
    return out;
}

torch::Tensor jina_pooled(JinaText& model, const torch::Tensor& input_ids) {
    const auto& nx = model->numerics();
    const auto last = model->forward(input_ids);
    const auto mask = input_ids.to(nx.device).ne(model->config().pad_token_id).unsqueeze(-1).to(torch::kFloat32);
    // Sum in fp32; a row of pads only (count 0) gives zeros instead of NaN.
    const auto sum = (last.to(torch::kFloat32) * mask).sum(1);
    const auto count = mask.sum(1).clamp_min(1.0);
    return nx.q((sum / count).to(nx.compute()));
}

}  // namespace studio
