#pragma once
// Hyper-parameters of the Gemma3 text model, read from a component's config.json. Torch-free.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace studio {

struct GemmaConfig {
    // Defaults are transformers' Gemma3TextConfig defaults: the hub config of gemma-3-4b-it
    // only lists what differs from them.
    int64_t vocab_size{262208};
    int64_t hidden_size{2304};
    int64_t intermediate_size{9216};
    int64_t num_layers{26};
    int64_t num_heads{8};
    int64_t num_kv_heads{4};
    int64_t head_dim{256};
    double rms_eps{1e-6};
    double query_pre_attn_scalar{256};
    double rope_local_theta{10000.0};
    double rope_global_theta{1000000.0};
    double rope_global_scaling{1.0};  // linear RoPE scaling of global layers: inv_freq / factor
    int64_t sliding_window{4096};
    std::vector<bool> layer_is_global;  // size num_layers; local layers use the sliding window
    bool scale_embeddings{true};        // embeddings * sqrt(hidden_size)

    // Gemma3ForConditionalGeneration (hyper-parameters under text_config) or a flat
    // Gemma3TextConfig. Reads the hub-style keys (rope_theta, rope_local_base_freq,
    // rope_scaling, sliding_window_pattern) and the newer ones (layer_types, rope_parameters).
    // Throws ModelLoadError naming the file for anything missing, inconsistent or unsupported.
    static GemmaConfig from_json_file(const std::string& path);
    static GemmaConfig from_json(const nlohmann::json& j, const std::string& origin = {});

    // Gemma3ForConditionalGeneration layout with both key styles, readable by from_json.
    nlohmann::json to_json() const;
    // Parameters of the whole text model (embeddings, all layers, final norm).
    int64_t parameter_count() const;
    // Throws ModelLoadError(message, origin) when the numbers cannot describe a model.
    void validate(const std::string& origin = {}) const;

    bool operator==(const GemmaConfig& o) const;
    bool operator!=(const GemmaConfig& o) const { return !(*this == o); }
};

}  // namespace studio
