#pragma once
// Jina CLIP v2 text tower: jina-embeddings-v3's XLM-RoBERTa "flash" backbone (RoPE, post-LN,
// fused Wqkv) with the default LoRA task merged into the weights, mean-pooled.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "studio/ModelFolder.h"
#include "studio/Numerics.h"
#include "studio/text/JinaConfig.h"

namespace studio {

namespace text_detail {
class ParamsImpl;
class JinaLayerImpl;
}  // namespace text_detail

class JinaTextImpl : public torch::nn::Module {
public:
    // Parameter names are the merged checkpoint's keys below text_model.transformer.roberta.
    // ("embeddings.word_embeddings.weight", "encoder.layers.0.mixer.Wqkv.weight", ...);
    // parameters stay uninitialised until loaded.
    JinaTextImpl(const JinaConfig& config, const Numerics& nx);

    const JinaConfig& config() const { return m_config; }
    const Numerics& numerics() const { return m_nx; }

    // Last hidden state [B,L,hidden] in nx.compute(). input_ids [B,L] int; tokens equal to
    // pad_token_id are masked as keys. Throws TokenizerError for ids outside the vocabulary.
    torch::Tensor forward(const torch::Tensor& input_ids);
    // Like the reference's output_hidden_states: the input of every layer (after emb_ln),
    // then the final output: num_layers + 1 entries.
    std::vector<torch::Tensor> hidden_states(const torch::Tensor& input_ids);

private:
    torch::Tensor run(const torch::Tensor& input_ids, std::vector<torch::Tensor>* collect);

    JinaConfig m_config;
    Numerics m_nx;
    std::shared_ptr<text_detail::ParamsImpl> m_word, m_token_type, m_emb_ln;
    std::vector<std::shared_ptr<text_detail::JinaLayerImpl>> m_layers;
};
TORCH_MODULE(JinaText);

// Mean of the last hidden state over ids != pad -> [B, hidden] in nx.compute(); no
// projection, no normalisation (what NewBie feeds to the DiT).
torch::Tensor jina_pooled(JinaText& model, const torch::Tensor& input_ids);

// Loads the text tower from a clip component folder. Keys may carry the prefix
// text_model.transformer.roberta. (jina-clip-v2), roberta. (jina-embeddings-v3) or none;
// the vision tower is ignored. Adapted layers stored as parametrizations.weight.{original,
// 0.lora_A, 0.lora_B} are merged for config.lora_task_index (t):
//   Linear    W' = W + (B[t] @ A[t]) * alpha/rank
//   Embedding W' = W + (A[t] @ B[t]) * alpha/rank
// in fp32, then cast once for nx. Plain "<layer>.weight" keys (already merged) load as they
// are. Throws ModelLoadError naming the file and tensor.
JinaText load_jina(const ComponentFiles& component, const Numerics& nx);

// Random fp32 CPU weights under jina-clip-v2's key names, adapted layers as
// parametrizations.weight.{original, 0.lora_A, 0.lora_B} (one slot per lora_adaptations entry).
std::vector<std::pair<std::string, torch::Tensor>> random_jina_weights(const JinaConfig& c, uint64_t seed);

}  // namespace studio
