#include "studio/text/JinaConfig.h"

#include <algorithm>

#include "ConfigJson.h"
#include "studio/Errors.h"
#include "studio/Json.h"

namespace studio {

namespace {

const nlohmann::json* object_at(const nlohmann::json& j, const std::string& key, const std::string& origin) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return nullptr;
    if (!j[key].is_object()) throw ModelLoadError("'" + key + "' is not an object", origin);
    return &j[key];
}

// Backbone keys as XLM-RoBERTa / jina-embeddings-v3 configs spell them.
void apply_backbone(JinaConfig& c, const nlohmann::json& s, const std::string& origin) {
    c.vocab_size = config_get<int64_t>(s, "vocab_size", c.vocab_size, origin);
    c.hidden_size = config_get<int64_t>(s, "hidden_size", c.hidden_size, origin);
    c.num_layers = config_get<int64_t>(s, "num_hidden_layers", c.num_layers, origin);
    c.num_heads = config_get<int64_t>(s, "num_attention_heads", c.num_heads, origin);
    c.intermediate_size = config_get<int64_t>(s, "intermediate_size", c.intermediate_size, origin);
    c.type_vocab_size = config_get<int64_t>(s, "type_vocab_size", c.type_vocab_size, origin);
    c.pad_token_id = config_get<int64_t>(s, "pad_token_id", c.pad_token_id, origin);
    c.layer_norm_eps = config_get<double>(s, "layer_norm_eps", c.layer_norm_eps, origin);
    c.rope_base = config_get<double>(s, "rotary_emb_base", c.rope_base, origin);
    c.lora_rank = config_get<int64_t>(s, "lora_rank", c.lora_rank, origin);
    c.lora_alpha = config_get<double>(s, "lora_alpha", c.lora_alpha, origin);
    c.lora_adaptations = config_get<std::vector<std::string>>(s, "lora_adaptations", c.lora_adaptations, origin);
    const auto pos = config_get<std::string>(s, "position_embedding_type", "rotary", origin);
    if (pos != "rotary")
        throw ModelLoadError("position_embedding_type '" + pos + "' is not supported (rotary only)", origin);
    const auto act = config_get<std::string>(s, "hidden_act", "gelu", origin);
    if (act != "gelu") throw ModelLoadError("hidden_act '" + act + "' is not supported (exact GELU only)", origin);
}

}  // namespace

JinaConfig JinaConfig::from_json_file(const std::string& path) { return from_json(read_json_file(path), path); }

JinaConfig JinaConfig::from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw ModelLoadError("config is not a JSON object", origin);
    JinaConfig c;
    const nlohmann::json* text = object_at(j, "text_config", origin);
    const nlohmann::json* backbone = object_at(j, "xlm_roberta_config", origin);
    if (!backbone && !text) backbone = &j;  // a plain XLM-RoBERTa / jina-embeddings-v3 config
    if (backbone) apply_backbone(c, *backbone, origin);
    // jina-clip passes hf_model_config_kwargs on top of the backbone config.
    if (text)
        if (const auto* kwargs = object_at(*text, "hf_model_config_kwargs", origin)) apply_backbone(c, *kwargs, origin);

    std::string task;
    if (text) {
        task = config_get<std::string>(*text, "default_lora_task", "", origin);
        const auto pooler = config_get<std::string>(*text, "pooler_type", "mean_pooler", origin);
        if (pooler != "mean_pooler")
            throw ModelLoadError("pooler_type '" + pooler + "' is not supported (mean_pooler only)", origin);
        const auto proj = config_get<std::string>(*text, "proj_type", "", origin);
        const auto embed_dim = config_get<int64_t>(*text, "embed_dim", c.hidden_size, origin);
        if (!proj.empty() || embed_dim != c.hidden_size)
            throw ModelLoadError("a text projection is not supported (proj_type null and embed_dim = hidden_size only)",
                                 origin);
    }
    if (config_get<bool>(j, "add_projections", false, origin))
        throw ModelLoadError("add_projections = true is not supported (the pooled vector is used unprojected)", origin);

    c.lora_task_index = -1;
    if (!task.empty()) {
        const auto it = std::find(c.lora_adaptations.begin(), c.lora_adaptations.end(), task);
        if (it == c.lora_adaptations.end())
            throw ModelLoadError("default_lora_task '" + task + "' is not one of lora_adaptations", origin);
        c.lora_task_index = static_cast<int>(it - c.lora_adaptations.begin());
    }
    c.validate(origin);
    return c;
}

void JinaConfig::validate(const std::string& origin) const {
    auto positive = [&](int64_t v, const char* name) {
        if (v <= 0) throw ModelLoadError(std::string(name) + " must be positive, got " + std::to_string(v), origin);
    };
    positive(vocab_size, "vocab_size");
    positive(hidden_size, "hidden_size");
    positive(num_layers, "num_hidden_layers");
    positive(num_heads, "num_attention_heads");
    positive(intermediate_size, "intermediate_size");
    if (hidden_size % num_heads != 0) throw ModelLoadError("hidden_size must be a multiple of num_attention_heads", origin);
    if (head_dim() % 2 != 0) throw ModelLoadError("the head dimension must be even for RoPE", origin);
    if (type_vocab_size < 0) throw ModelLoadError("type_vocab_size must not be negative", origin);
    if (pad_token_id < 0 || pad_token_id >= vocab_size) throw ModelLoadError("pad_token_id is outside the vocabulary", origin);
    if (!(layer_norm_eps > 0) || !(rope_base > 0)) throw ModelLoadError("layer_norm_eps and rotary_emb_base must be positive", origin);
    if (lora_task_index >= static_cast<int>(lora_adaptations.size()) || lora_task_index < -1)
        throw ModelLoadError("the LoRA task index is outside lora_adaptations", origin);
    if (lora_task_index >= 0) positive(lora_rank, "lora_rank");
}

nlohmann::json JinaConfig::to_json() const {
    const std::string task = lora_task_index >= 0 ? lora_adaptations[lora_task_index] : std::string();
    nlohmann::json lora{{"lora_adaptations", lora_adaptations}, {"lora_rank", lora_rank}, {"lora_alpha", lora_alpha},
                        {"lora_dropout_p", 0.0}, {"load_trained_adapters", false}, {"use_flash_attn", false}};
    nlohmann::json text{{"hf_model_name_or_path", "jinaai/jina-embeddings-v3"},
                        {"embed_dim", hidden_size},
                        {"pooler_type", "mean_pooler"},
                        {"proj_type", nullptr},
                        {"proj_bias", false},
                        {"default_lora_task", task.empty() ? nlohmann::json() : nlohmann::json(task)},
                        {"default_instruction_task", nullptr},
                        {"hf_model_config_kwargs", lora}};
    nlohmann::json backbone{{"model_type", "xlm-roberta"},
                            {"vocab_size", vocab_size},
                            {"hidden_size", hidden_size},
                            {"num_hidden_layers", num_layers},
                            {"num_attention_heads", num_heads},
                            {"intermediate_size", intermediate_size},
                            {"hidden_act", "gelu"},
                            {"layer_norm_eps", layer_norm_eps},
                            {"type_vocab_size", type_vocab_size},
                            {"pad_token_id", pad_token_id},
                            {"bos_token_id", 0},
                            {"eos_token_id", 2},
                            {"position_embedding_type", "rotary"},
                            {"rotary_emb_base", rope_base}};
    for (auto it = lora.begin(); it != lora.end(); ++it) backbone[it.key()] = it.value();
    return {{"architectures", {"JinaCLIPModel"}}, {"model_type", "jina_clip"},   {"add_projections", false},
            {"projection_dim", hidden_size},      {"text_config", text},         {"xlm_roberta_config", backbone}};
}

int64_t JinaConfig::parameter_count() const {
    const int64_t h = hidden_size, i = intermediate_size;
    const int64_t layer = (3 * h * h + 3 * h) + (h * h + h) + (i * h + i) + (h * i + h) + 4 * h;
    return (vocab_size + type_vocab_size) * h + 2 * h + num_layers * layer;
}

bool JinaConfig::operator==(const JinaConfig& o) const {
    return vocab_size == o.vocab_size && hidden_size == o.hidden_size && num_layers == o.num_layers &&
           num_heads == o.num_heads && intermediate_size == o.intermediate_size &&
           type_vocab_size == o.type_vocab_size && pad_token_id == o.pad_token_id &&
           layer_norm_eps == o.layer_norm_eps && rope_base == o.rope_base && lora_rank == o.lora_rank &&
           lora_alpha == o.lora_alpha && lora_task_index == o.lora_task_index && lora_adaptations == o.lora_adaptations;
}

}  // namespace studio
