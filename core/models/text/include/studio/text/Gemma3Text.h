#pragma once
// Gemma3 text model (the language half of gemma-3-4b-it). NewBie's caption features are
// hidden_states[-2]: the output of decoder layer num_layers-2, before the final norm.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "studio/ModelFolder.h"
#include "studio/Numerics.h"
#include "studio/text/GemmaConfig.h"

namespace studio {

namespace text_detail {
class ParamsImpl;
class GemmaLayerImpl;
}  // namespace text_detail

class Gemma3TextImpl : public torch::nn::Module {
public:
    // Builds the embeddings and the first `layers_built` decoder layers (-1 = all); the final
    // norm exists only when all layers do. Parameter names are the checkpoint's keys below
    // the text model's prefix; parameters stay uninitialised until loaded.
    Gemma3TextImpl(const GemmaConfig& config, const Numerics& nx, int64_t layers_built = -1);

    const GemmaConfig& config() const { return m_config; }
    const Numerics& numerics() const { return m_nx; }
    int64_t layers_built() const { return static_cast<int64_t>(m_layers.size()); }

    // Output of the first `layers` decoder layers [B,L,hidden] in nx.compute(); pad rows
    // (attention_mask 0) are exactly 0. input_ids [B,L] int; attention_mask [B,L], 1 = token
    // (undefined = all tokens). Throws TokenizerError for ids outside the vocabulary.
    torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, int64_t layers);

    // Like transformers' output_hidden_states for the first `layers` layers (-1 = all):
    // [0] scaled embeddings, [i] output of layer i-1; when all num_layers layers run, the
    // last entry is the final-normed state (the un-normed last output is not returned).
    std::vector<torch::Tensor> hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                             int64_t layers = -1);

private:
    torch::Tensor run(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, int64_t layers,
                      std::vector<torch::Tensor>* collect);

    GemmaConfig m_config;
    Numerics m_nx;
    std::shared_ptr<text_detail::ParamsImpl> m_embed;
    std::vector<std::shared_ptr<text_detail::GemmaLayerImpl>> m_layers;
    std::shared_ptr<text_detail::ParamsImpl> m_norm;  // null unless all layers are built
};
TORCH_MODULE(Gemma3Text);

// hidden_states[-2] [B,L,hidden] in nx.compute() with pad rows exactly 0; runs only
// layers 0..num_layers-2.
torch::Tensor gemma_caption_features(Gemma3Text& model, const torch::Tensor& input_ids,
                                     const torch::Tensor& attention_mask);

// Loads the text model from a component folder. Weight keys may carry the prefix
// language_model.model. (hub), model.language_model. (transformers >= 4.52),
// language_model., model. or none; vision tower / projector keys are ignored. By default
// only the layers that gemma_caption_features needs are built and loaded.
// Throws ModelLoadError naming the file and tensor.
Gemma3Text load_gemma(const ComponentFiles& component, const Numerics& nx, bool all_layers = false);

// Random fp32 CPU weights under the hub's key names (prefix language_model.model.), scaled so
// that activations stay O(1); deterministic for a seed.
std::vector<std::pair<std::string, torch::Tensor>> random_gemma_weights(const GemmaConfig& c, uint64_t seed);

}  // namespace studio
