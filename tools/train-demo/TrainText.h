#pragma once
// Trainable forms of the two text encoders. Same parameter names as the checkpoints (so the
// export is a rename-free dump) and the same arithmetic as core's Gemma3Text / JinaText, but
// with autograd: those modules run under InferenceMode. tests/demo checks that both agree.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "studio/Numerics.h"
#include "studio/text/GemmaConfig.h"
#include "studio/text/JinaConfig.h"

namespace studio::demo {

// "weight" and optionally "bias", like one checkpoint layer.
class WeightsImpl : public torch::nn::Module {
public:
    WeightsImpl(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape);
    torch::Tensor weight, bias;
};
TORCH_MODULE(Weights);

class TrainGemmaLayerImpl;
class TrainJinaLayerImpl;

class TrainGemmaImpl : public torch::nn::Module {
public:
    TrainGemmaImpl(const GemmaConfig& config, const Numerics& nx);
    // hidden_states[-2]: output of the first num_layers - 1 layers, pad rows 0 (what NewBie reads).
    torch::Tensor caption_features(const torch::Tensor& ids, const torch::Tensor& mask);
    // Hub key prefix of the text model inside Gemma3ForConditionalGeneration.
    static constexpr const char* kPrefix = "language_model.model.";
    const GemmaConfig& config() const { return m_config; }

private:
    GemmaConfig m_config;
    Numerics m_nx;
    Weights m_embed{nullptr}, m_norm{nullptr};
    std::vector<std::shared_ptr<TrainGemmaLayerImpl>> m_layers;
};
TORCH_MODULE(TrainGemma);

class TrainJinaImpl : public torch::nn::Module {
public:
    TrainJinaImpl(const JinaConfig& config, const Numerics& nx);
    // Mean of the last hidden state over ids != pad: the pooled vector NewBie feeds the DiT.
    torch::Tensor pooled(const torch::Tensor& ids);
    static constexpr const char* kPrefix = "text_model.transformer.roberta.";
    const JinaConfig& config() const { return m_config; }

private:
    JinaConfig m_config;
    Numerics m_nx;
    Weights m_word{nullptr}, m_token_type{nullptr}, m_emb_ln{nullptr};
    std::vector<std::shared_ptr<TrainJinaLayerImpl>> m_layers;
};
TORCH_MODULE(TrainJina);

// Initial weights: N(0, 0.02) matrices and embeddings (as transformers initialises), Gemma's
// (1 + w) norms at w = 0, LayerNorms at 1 / 0, biases 0. Deterministic for a seed.
void init_text_weights(torch::nn::Module& module, bool one_plus_norms, uint64_t seed);

}  // namespace studio::demo
