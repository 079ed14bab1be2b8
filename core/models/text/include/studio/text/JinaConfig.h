#pragma once
// Hyper-parameters of the Jina CLIP v2 text tower (jina-embeddings-v3 XLM-RoBERTa backbone
// with LoRA adapters), read from the clip component's config.json. Torch-free.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace studio {

struct JinaConfig {
    // Defaults are jina-embeddings-v3's: the real jina-clip-v2 config names that model
    // instead of listing the backbone's hyper-parameters.
    int64_t vocab_size{250002};
    int64_t hidden_size{1024};
    int64_t num_layers{24};
    int64_t num_heads{16};
    int64_t intermediate_size{4096};
    int64_t type_vocab_size{1};
    int64_t pad_token_id{1};
    double layer_norm_eps{1e-5};
    double rope_base{20000.0};
    int64_t lora_rank{4};
    double lora_alpha{4.0};
    int lora_task_index{0};  // adapter merged at load; -1 = none
    std::vector<std::string> lora_adaptations{"retrieval.query"};  // task names, index = adapter slot

    // Accepts the fixture layout (backbone under xlm_roberta_config), the real jina-clip-v2
    // layout (text_config.hf_model_config_kwargs over jina-embeddings-v3 defaults) and a
    // plain XLM-RoBERTa config. The merged task is text_config.default_lora_task.
    // Throws ModelLoadError naming the file.
    static JinaConfig from_json_file(const std::string& path);
    static JinaConfig from_json(const nlohmann::json& j, const std::string& origin = {});

    // JinaCLIPModel-style config (backbone under xlm_roberta_config), readable by from_json.
    nlohmann::json to_json() const;
    // Parameters of the text tower with adapters merged (LoRA tensors not counted).
    int64_t parameter_count() const;
    int64_t head_dim() const { return num_heads > 0 ? hidden_size / num_heads : 0; }
    double lora_scale() const { return lora_alpha / static_cast<double>(lora_rank); }
    void validate(const std::string& origin = {}) const;

    bool operator==(const JinaConfig& o) const;
    bool operator!=(const JinaConfig& o) const { return !(*this == o); }
};

}  // namespace studio
