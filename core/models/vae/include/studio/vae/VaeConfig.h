#pragma once
// Architecture of a diffusers AutoencoderKL (the FLUX.1 VAE is one instance), read from its
// config.json. Every shape of the model follows from these numbers.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace studio {

struct VaeConfig {
    int64_t in_channels{3};
    int64_t out_channels{3};
    int64_t latent_channels{16};
    int64_t layers_per_block{2};
    int64_t norm_num_groups{32};
    std::vector<int64_t> block_out_channels{128, 256, 512, 512};
    bool mid_block_add_attention{true};
    bool use_quant_conv{false};
    bool use_post_quant_conv{false};
    double scaling_factor{0.3611};
    double shift_factor{0.1159};

    // Reads a diffusers AutoencoderKL config.json. Absent keys take diffusers' defaults.
    // Throws ModelLoadError naming the file for missing/invalid values or unsupported block types.
    static VaeConfig from_json_file(const std::string& path);
    static VaeConfig from_json(const nlohmann::json& j, const std::string& origin = {});
    // Throws ModelLoadError (naming `origin`) when the numbers cannot describe a model.
    void validate(const std::string& origin = {}) const;

    nlohmann::json to_json() const;  // diffusers config.json form
    int64_t parameter_count() const;  // encoder + decoder (+ quant convs)
    int64_t downscale() const;        // image pixels per latent pixel: 2^(blocks - 1)
};

// Every parameter of the model as (diffusers key, shape), decoder first, then encoder, then
// the optional quant convs. The single source of truth for shapes (random init, counts).
std::vector<std::pair<std::string, std::vector<int64_t>>> vae_parameter_shapes(const VaeConfig& c);

}  // namespace studio
