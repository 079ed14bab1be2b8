#pragma once
// Hyper-parameters of the Next-DiT transformer (NextDiT_CLIP), read from transformer/config.json
// in either the converter format ({"dim", "n_layers", ...}) or the diffusers
// Lumina2Transformer2DModel format ({"hidden_size", "num_layers", ...}). Torch-free.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace studio {

struct DitConfig {
    int64_t dim{2304};
    int64_t n_layers{36};
    int64_t n_refiner_layers{2};  // that many noise_refiner AND context_refiner blocks
    int64_t n_heads{24};
    int64_t n_kv_heads{8};
    int64_t patch_size{2};
    int64_t in_channels{16};      // = out channels
    int64_t cap_feat_dim{2560};   // text-encoder hidden size (Gemma3-4B)
    int64_t clip_text_dim{1024};  // pooled CLIP vector
    int64_t multiple_of{256};
    std::optional<double> ffn_dim_multiplier;
    double norm_eps{1e-5};        // block and caption RMSNorms
    // RMSNorms the reference builds with the class default eps: q_norm, k_norm, clip_text_pooled_proj.0.
    double qk_norm_eps{1e-6};
    bool qk_norm{true};
    double rope_theta{10000.0};
    std::vector<int64_t> axes_dims{32, 32, 32};
    std::vector<int64_t> axes_lens{1024, 512, 512};
    bool diffusers_naming{false};  // the config came in the diffusers format

    int64_t head_dim() const { return dim / n_heads; }
    int64_t n_rep() const { return n_heads / n_kv_heads; }
    int64_t ffn_hidden() const;
    int64_t adaln_dim() const { return dim < 1024 ? dim : 1024; }
    int64_t patch_dim() const { return patch_size * patch_size * in_channels; }
    int64_t parameter_count() const;  // weights the module holds (norm_final.weight not counted)

    // Throws ConfigError when the numbers cannot describe a model (heads, RoPE axes, ...).
    void validate() const;

    // Throws ModelLoadError naming the file. `cap_feat_dim` fills in a config that lacks it
    // (the converter format does not write it); a value in the file wins.
    static DitConfig from_json_file(const std::string& path, std::optional<int64_t> cap_feat_dim = {});
    static DitConfig from_json(const nlohmann::json& j, std::optional<int64_t> cap_feat_dim = {});
    // Converter format with every key written, so a tiny model round-trips.
    nlohmann::json to_json() const;
    std::string to_string() const;  // one line, for logs
};

}  // namespace studio
