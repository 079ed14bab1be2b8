// Loading: one path for both checkpoint namings. Every module parameter has a diffusers
// name; for BFL files it is renamed with vae_bfl_key and the 1x1-conv attention weights are
// viewed as linear weights.
#include <spdlog/spdlog.h>

#include <functional>
#include <map>
#include <set>

#include "studio/Errors.h"
#include "studio/ModuleLoader.h"
#include "studio/WeightStore.h"
#include "studio/vae/Vae.h"

namespace studio {

namespace {

// Read access to named tensors, from a WeightStore or from memory.
struct TensorSource {
    std::function<bool(const std::string&)> has;
    std::function<torch::Tensor(const std::string&)> get;
    std::function<std::string(const std::string&)> file_of;
    std::vector<std::string> keys;
    std::string origin;

    std::vector<int64_t> shape(const std::string& key) const { return get(key).sizes().vec(); }
};

TensorSource store_source(std::shared_ptr<WeightStore> store) {
    TensorSource s;
    s.has = [store](const std::string& k) { return store->has(k); };
    s.get = [store](const std::string& k) { return store->get(k); };
    s.file_of = [store](const std::string& k) { return store->file_of(k); };
    s.keys = store->keys();
    s.origin = store->origin();
    return s;
}

TensorSource memory_source(const std::vector<std::pair<std::string, torch::Tensor>>& weights) {
    auto map = std::make_shared<std::map<std::string, torch::Tensor>>();
    for (const auto& [k, t] : weights) {
        if (map->count(k)) throw ModelLoadError("tensor appears twice", "(in memory)", k);
        (*map)[k] = t;
    }
    TensorSource s;
    s.has = [map](const std::string& k) { return map->count(k) != 0; };
    s.get = [map](const std::string& k) {
        const auto it = map->find(k);
        if (it == map->end()) throw ModelLoadError("tensor missing from the weights", "(in memory)", k);
        return it->second;
    };
    s.file_of = [](const std::string&) { return std::string("(in memory)"); };
    for (const auto& kv : *map) s.keys.push_back(kv.first);
    s.origin = "(in memory)";
    return s;
}

VaeNaming detect_naming(const TensorSource& src) {
    for (const char* k : {"decoder.mid.block_1.norm1.weight", "encoder.mid.block_1.norm1.weight",
                          "decoder.up.0.block.0.conv1.weight"})
        if (src.has(k)) return VaeNaming::Bfl;
    return VaeNaming::Diffusers;
}

std::string source_key(const std::string& diffusers_key, VaeNaming naming, int64_t blocks) {
    return naming == VaeNaming::Diffusers ? diffusers_key : vae_bfl_key(diffusers_key, blocks);
}

// Loads every parameter of `module` (names under `prefix`) and records the keys it used.
void load_params(torch::nn::Module& module, const std::string& prefix, const TensorSource& src, VaeNaming naming,
                 int64_t blocks, const Numerics& nx, std::set<std::string>& used) {
    torch::NoGradGuard no_grad;
    for (auto& item : module.named_parameters(true)) {
        const std::string key = source_key(prefix + item.key(), naming, blocks);
        if (key.empty() || !src.has(key))
            throw ModelLoadError("tensor missing from the checkpoint", src.origin, key.empty() ? prefix + item.key() : key);
        auto w = src.get(key);
        const auto expected = item.value().sizes().vec();
        // BFL stores the attention projections as 1x1 convs [C, C, 1, 1].
        if (naming == VaeNaming::Bfl && expected.size() == 2 && w.dim() == 4 && w.size(2) == 1 && w.size(3) == 1)
            w = w.flatten(1);
        if (w.sizes().vec() != expected)
            throw ModelLoadError("checkpoint shape " + shape_string(w.sizes().vec()) + " but the config implies " +
                                     shape_string(expected),
                                 src.file_of(key), key);
        item.value().set_data(cast_weight(w, nx));
        used.insert(key);
    }
}

int64_t count_while(const std::function<std::string(int64_t)>& key_of, const TensorSource& src) {
    int64_t n = 0;
    while (n < 64 && src.has(key_of(n))) ++n;
    return n;
}

// A VAE folder without config.json (e.g. a bare ae.safetensors): widths and depths come from
// the weights, the rest from the FLUX.1 VAE.
VaeConfig infer_config(const TensorSource& src, VaeNaming naming) {
    VaeConfig c;  // FLUX.1 defaults
    const bool bfl = naming == VaeNaming::Bfl;
    auto resnet_key = [&](int64_t block, int64_t j) {
        return bfl ? "decoder.up." + std::to_string(block) + ".block." + std::to_string(j) + ".conv2.weight"
                   : "decoder.up_blocks." + std::to_string(block) + ".resnets." + std::to_string(j) + ".conv2.weight";
    };
    for (const char* k : {"decoder.conv_in.weight", "decoder.conv_out.weight"})
        if (!src.has(k)) throw ModelLoadError("VAE has no config.json and its weights lack " + std::string(k), src.origin, k);
    const int64_t n = count_while([&](int64_t i) { return resnet_key(i, 0); }, src);
    if (n == 0) throw ModelLoadError("VAE has no config.json and no decoder up blocks were found", src.origin);
    c.block_out_channels.assign(static_cast<size_t>(n), 0);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t width = src.shape(resnet_key(i, 0))[0];
        c.block_out_channels[static_cast<size_t>(bfl ? i : n - 1 - i)] = width;
    }
    const int64_t resnets = count_while([&](int64_t j) { return resnet_key(0, j); }, src);
    c.layers_per_block = resnets - 1;
    c.latent_channels = src.shape("decoder.conv_in.weight")[1];
    c.out_channels = src.shape("decoder.conv_out.weight")[0];
    c.in_channels = src.has("encoder.conv_in.weight") ? src.shape("encoder.conv_in.weight")[1] : c.out_channels;
    c.mid_block_add_attention = src.has(bfl ? "decoder.mid.attn_1.q.weight" : "decoder.mid_block.attentions.0.to_q.weight");
    c.use_quant_conv = src.has("quant_conv.weight");
    c.use_post_quant_conv = src.has("post_quant_conv.weight");
    c.validate(src.origin);
    return c;
}

Vae build_and_load(const VaeConfig& config, const TensorSource& src, const Numerics& nx, bool load_encoder) {
    const VaeNaming naming = detect_naming(src);
    const auto blocks = static_cast<int64_t>(config.block_out_channels.size());
    Vae vae;
    vae.config = config;
    vae.nx = nx;
    std::set<std::string> used;

    vae.decoder = VaeDecoder(config, nx);
    load_params(*vae.decoder, "decoder.", src, naming, blocks, nx, used);
    vae.decoder->eval();
    if (config.use_post_quant_conv) {
        vae.post_quant_conv = VaeConv2d(config.latent_channels, config.latent_channels, 1, 1, 0, nx);
        load_params(*vae.post_quant_conv, "post_quant_conv.", src, naming, blocks, nx, used);
    }
    if (load_encoder) {
        vae.encoder = VaeEncoder(config, nx);
        load_params(*vae.encoder, "encoder.", src, naming, blocks, nx, used);
        vae.encoder->eval();
        if (config.use_quant_conv) {
            vae.quant_conv = VaeConv2d(2 * config.latent_channels, 2 * config.latent_channels, 1, 1, 0, nx);
            load_params(*vae.quant_conv, "quant_conv.", src, naming, blocks, nx, used);
        }
    }
    // A tensor of a loaded part that no module took means the config does not describe the file.
    for (const auto& key : src.keys) {
        const bool decoder_part = key.rfind("decoder.", 0) == 0 || key.rfind("post_quant_conv.", 0) == 0;
        const bool encoder_part = key.rfind("encoder.", 0) == 0 || key.rfind("quant_conv.", 0) == 0;
        if ((decoder_part || (load_encoder && encoder_part)) && !used.count(key))
            throw ModelLoadError("tensor is not part of the VAE described by the config (config and weights disagree)",
                                 src.file_of(key), key);
    }
    return vae;
}

}  // namespace

Vae make_vae(const VaeConfig& config, const std::vector<std::pair<std::string, torch::Tensor>>& weights,
             const Numerics& nx, bool load_encoder) {
    config.validate();
    return build_and_load(config, memory_source(weights), nx, load_encoder);
}

Vae load_vae(const ComponentFiles& component, const Numerics& nx, bool load_encoder) {
    if (component.weight_files.empty())
        throw ModelLoadError("no *.safetensors weight files in the VAE folder", component.dir);
    auto store = std::make_shared<WeightStore>(
        WeightStore::open(component.weight_files, {"vae.", "first_stage_model."}));
    const TensorSource src = store_source(store);
    const VaeNaming naming = detect_naming(src);
    VaeConfig config;
    if (component.config_path.empty()) {
        config = infer_config(src, naming);
        spdlog::warn("VAE: no config.json in {}; architecture inferred from the weights, FLUX.1 scaling {} / shift {}",
                     component.dir, config.scaling_factor, config.shift_factor);
    } else {
        config = VaeConfig::from_json_file(component.config_path);
    }
    Vae vae = build_and_load(config, src, nx, load_encoder);
    spdlog::info("VAE loaded from {} ({} naming, {}, blocks {}, latent {}, encoder {})", store->origin(),
                 naming == VaeNaming::Bfl ? "BFL" : "diffusers", nx.label(), config.block_out_channels.size(),
                 config.latent_channels, load_encoder ? "yes" : "no");
    return vae;
}

}  // namespace studio
