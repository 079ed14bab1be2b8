// Loading NextDiT weights under the original or the diffusers (Lumina2Transformer2DModel) key
// names, and random weights for tests.
#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <set>

#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/ModuleLoader.h"
#include "studio/dit/NextDiT.h"

namespace studio {
namespace {

const std::vector<std::string> kStripPrefixes{"inner_model.", "model.diffusion_model."};

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

bool replace_prefix(std::string& s, const std::string& from, const std::string& to) {
    if (!starts_with(s, from)) return false;
    s = to + s.substr(from.size());
    return true;
}

bool is_block_key(const std::string& key) {
    return starts_with(key, "layers.") || starts_with(key, "noise_refiner.") || starts_with(key, "context_refiner.");
}

// Diffusers key(s) of one parameter of the module (original naming). The fused qkv weight maps
// to three keys whose rows are concatenated.
std::vector<std::string> diffusers_keys(const std::string& name) {
    std::string k = name;
    if (replace_prefix(k, "t_embedder.mlp.0.", "time_caption_embed.timestep_embedder.linear_1.") ||
        replace_prefix(k, "t_embedder.mlp.2.", "time_caption_embed.timestep_embedder.linear_2.") ||
        replace_prefix(k, "cap_embedder.", "time_caption_embed.caption_embedder.") ||
        replace_prefix(k, "clip_text_pooled_proj.", "time_caption_embed.clip_text_pooled_proj.") ||
        replace_prefix(k, "time_text_embed.", "time_caption_embed.time_text_embed.") ||
        replace_prefix(k, "final_layer.adaLN_modulation.1.", "norm_out.linear_1.") ||
        replace_prefix(k, "final_layer.linear.", "norm_out.linear_2.") || !is_block_key(k))
        return {k};
    // "<group>.<i>.<rest>"
    const size_t second_dot = k.find('.', k.find('.') + 1);
    const std::string block = k.substr(0, second_dot + 1);
    std::string rest = k.substr(second_dot + 1);
    const bool modulated = !starts_with(block, "context_refiner.");
    if (rest == "attention.qkv.weight") return {block + "attn.to_q.weight", block + "attn.to_k.weight", block + "attn.to_v.weight"};
    (void)(replace_prefix(rest, "attention.out.", "attn.to_out.0.") || replace_prefix(rest, "attention.q_norm.", "attn.norm_q.") ||
        replace_prefix(rest, "attention.k_norm.", "attn.norm_k.") ||
        replace_prefix(rest, "feed_forward.w1.", "feed_forward.linear_1.") ||
        replace_prefix(rest, "feed_forward.w2.", "feed_forward.linear_2.") ||
        replace_prefix(rest, "feed_forward.w3.", "feed_forward.linear_3.") ||
        replace_prefix(rest, "adaLN_modulation.1.", "norm1.linear.") ||
        replace_prefix(rest, "attention_norm1.", modulated ? "norm1.norm." : "norm1.") ||
        replace_prefix(rest, "attention_norm2.", "norm2."));
    return {block + rest};
}

bool detect_diffusers_naming(const WeightStore& store, bool hint) {
    for (const auto& key : store.keys()) {
        if (starts_with(key, "time_caption_embed.") || key.find(".attn.to_q.") != std::string::npos) return true;
        if (starts_with(key, "t_embedder.") || key.find(".attention.qkv.") != std::string::npos) return false;
    }
    return hint;
}

torch::Tensor checked(const WeightStore& store, const std::string& key, const std::vector<int64_t>& shape) {
    if (!store.has(key)) throw ModelLoadError("tensor missing from the checkpoint", store.origin(), key);
    const auto actual = store.shape(key);
    if (actual != shape)
        throw ModelLoadError("checkpoint shape " + shape_string(actual) + " but the config implies " + shape_string(shape),
                             store.file_of(key), key);
    return store.get(key);
}

}  // namespace

NextDiT load_dit(const DitConfig& config, const WeightStore& store, const Numerics& nx) {
    torch::NoGradGuard no_grad;
    NextDiT model(config, nx);
    const bool diffusers = detect_diffusers_naming(store, config.diffusers_naming);
    const int64_t q_rows = config.n_heads * config.head_dim(), kv_rows = config.n_kv_heads * config.head_dim();
    std::set<std::string> used;
    for (auto& item : model->named_parameters(true)) {
        const auto expected = item.value().sizes().vec();
        const auto keys = diffusers ? diffusers_keys(item.key()) : std::vector<std::string>{item.key()};
        torch::Tensor w;
        if (keys.size() == 3) {  // to_q / to_k / to_v rows -> fused qkv
            const int64_t rows[3] = {q_rows, kv_rows, kv_rows};
            std::vector<torch::Tensor> parts;
            for (int i = 0; i < 3; ++i) parts.push_back(checked(store, keys[i], {rows[i], expected[1]}));
            w = torch::cat(parts, 0);
        } else {
            w = checked(store, keys[0], expected);
        }
        item.value().set_data(place_weight(item.key(), w, nx));
        used.insert(keys.begin(), keys.end());
    }
    std::vector<std::string> ignored;
    for (const auto& key : store.keys()) {
        if (used.count(key) || key == "norm_final.weight") continue;
        // A left-over block tensor means the config describes a smaller model than the weights.
        if (is_block_key(key))
            throw ModelLoadError("tensor is not part of the configured model (check n_layers / n_refiner_layers / qk_norm)",
                                 store.file_of(key), key);
        ignored.push_back(key);
    }
    if (!ignored.empty())
        spdlog::warn("transformer: {} checkpoint tensors not used, first: {}", ignored.size(), ignored.front());
    spdlog::info("transformer loaded ({} names, {}): {}", diffusers ? "diffusers" : "original", nx.label(),
                 config.to_string());
    model->eval();
    return model;
}

NextDiT load_dit(const ComponentFiles& component, const Numerics& nx, std::optional<int64_t> cap_feat_dim) {
    if (component.config_path.empty())
        throw ModelLoadError("the transformer folder has no config.json", component.dir);
    if (component.weight_files.empty())
        throw ModelLoadError("the transformer folder has no .safetensors weights", component.dir);
    const auto store = WeightStore::open(component.weight_files, kStripPrefixes);
    const auto json = read_json_file(component.config_path);
    if (!cap_feat_dim && (!json.contains("cap_feat_dim") || json["cap_feat_dim"].is_null())) {
        // The converter format does not record it: the caption embedder's norm weight does.
        for (const char* key : {"cap_embedder.0.weight", "time_caption_embed.caption_embedder.0.weight"})
            if (store.has(key) && store.shape(key).size() == 1) cap_feat_dim = store.shape(key)[0];
    }
    DitConfig config;
    try {
        config = DitConfig::from_json(json, cap_feat_dim);
    } catch (const ConfigError& e) {
        throw ModelLoadError(e.what(), component.config_path);
    }
    return load_dit(config, store, nx);
}

std::vector<std::pair<std::string, torch::Tensor>> random_dit_weights(const DitConfig& config, uint64_t seed) {
    torch::NoGradGuard no_grad;
    NextDiT shapes(config, Numerics::fp32_cpu());
    auto gen = at::detail::createCPUGenerator(seed);
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& item : shapes->named_parameters(true)) {
        const auto& name = item.key();
        const auto sizes = item.value().sizes();
        auto r = torch::randn(sizes, gen, f32);
        if (sizes.size() == 2) r = r / std::sqrt(static_cast<double>(sizes[1]));  // Linear: unit-variance outputs
        else if (name.size() > 4 && name.compare(name.size() - 4, 4, "bias") == 0) r = r * 0.02;
        else r = r * 0.1 + 1.0;                                                    // norm weights near 1
        out.emplace_back(name, r);
    }
    out.emplace_back("norm_final.weight", torch::ones({config.dim}, f32));
    return out;
}

}  // namespace studio
