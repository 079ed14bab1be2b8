#include "DemoModels.h"

#include <sstream>

#include "studio/Errors.h"

namespace studio::demo {

DemoModelConfig DemoModelConfig::preset_config(const std::string& name) {
    DemoModelConfig c;
    c.preset = name;
    auto& g = c.gemma;
    auto& j = c.jina;
    auto& d = c.dit;
    auto& v = c.vae;
    // Shared shape choices: Gemma's last layer is never read (features = hidden_states[-2]) but
    // exists so the folder has the real structure; GQA on both Gemma and the DiT like the originals.
    g.num_layers = 3;
    g.layer_is_global = {false, false, true};
    g.rope_global_scaling = 8.0;
    g.sliding_window = 512;
    j.lora_task_index = 0;  // plain (already merged) weights load as they are
    d.n_refiner_layers = 1;
    v.latent_channels = 16;
    v.norm_num_groups = 32;
    v.layers_per_block = 1;
    // demo: ~15 M parameters (60 MB in fp32): 256x256 in a few seconds on two CPU cores, and a
    // checkpoint small enough to carry between training machines.
    if (name == "demo") {
        c.image_size = 256;
        c.gemma_vocab_pieces = 1024, c.jina_vocab_pieces = 1024;
        g.hidden_size = 256, g.intermediate_size = 512, g.num_heads = 4, g.num_kv_heads = 2, g.head_dim = 64;
        g.query_pre_attn_scalar = 64;
        j.hidden_size = 128, j.num_layers = 2, j.num_heads = 4, j.intermediate_size = 512;
        d.dim = 256, d.n_layers = 6, d.n_heads = 4, d.n_kv_heads = 2, d.axes_dims = {16, 24, 24};
        d.multiple_of = 256, d.ffn_dim_multiplier = 0.75;  // SwiGLU hidden 768 = 3 x dim
        v.block_out_channels = {32, 64, 128, 128};
    } else if (name == "toy") {
        c.image_size = 64;
        c.gemma_vocab_pieces = 400, c.jina_vocab_pieces = 300;
        g.hidden_size = 64, g.intermediate_size = 128, g.num_heads = 4, g.num_kv_heads = 2, g.head_dim = 16;
        g.query_pre_attn_scalar = 16;
        j.hidden_size = 32, j.num_layers = 2, j.num_heads = 4, j.intermediate_size = 64;
        d.dim = 64, d.n_layers = 2, d.n_heads = 4, d.n_kv_heads = 2, d.axes_dims = {4, 6, 6};
        d.multiple_of = 64;
        v.block_out_channels = {16, 32, 32, 32};
        v.norm_num_groups = 8;
    } else {
        throw ConfigError("unknown preset '" + name + "' (demo or toy)");
    }
    d.axes_lens = {1024, 512, 512};
    c.set_vocabularies(c.gemma_vocab_pieces, c.jina_vocab_pieces + 2);
    return c;
}

void DemoModelConfig::set_vocabularies(int64_t gemma_vocab, int64_t jina_vocab) {
    gemma.vocab_size = gemma_vocab;
    jina.vocab_size = jina_vocab;
    dit.cap_feat_dim = gemma.hidden_size;
    dit.clip_text_dim = jina.hidden_size;
    gemma.validate("demo preset");
    jina.validate("demo preset");
    dit.validate();
    vae.validate("demo preset");
}

nlohmann::json DemoModelConfig::to_json() const {
    return {{"preset", preset},
            {"image_size", image_size},
            {"gemma_vocab_pieces", gemma_vocab_pieces},
            {"jina_vocab_pieces", jina_vocab_pieces},
            {"text_encoder", gemma.to_json()},
            {"clip_model", jina.to_json()},
            {"transformer", dit.to_json()},
            {"vae", vae.to_json()}};
}

DemoModelConfig DemoModelConfig::from_json(const nlohmann::json& j, const std::string& origin) {
    try {
        DemoModelConfig c;
        c.preset = j.at("preset").get<std::string>();
        c.image_size = j.at("image_size").get<int>();
        c.gemma_vocab_pieces = j.at("gemma_vocab_pieces").get<int>();
        c.jina_vocab_pieces = j.at("jina_vocab_pieces").get<int>();
        c.gemma = GemmaConfig::from_json(j.at("text_encoder"), origin);
        c.jina = JinaConfig::from_json(j.at("clip_model"), origin);
        c.dit = DitConfig::from_json(j.at("transformer"));
        c.vae = VaeConfig::from_json(j.at("vae"), origin);
        return c;
    } catch (const nlohmann::json::exception& e) {
        throw ModelLoadError(std::string("demo model config is incomplete: ") + e.what(), origin);
    } catch (const ConfigError& e) {
        throw ModelLoadError(e.what(), origin);
    }
}

std::string DemoModelConfig::summary() const {
    std::ostringstream s;
    s << preset << " " << image_size << "x" << image_size << ": text " << gemma.parameter_count() / 1e6 << " M, clip "
      << jina.parameter_count() / 1e6 << " M, transformer " << dit.parameter_count() / 1e6 << " M, vae "
      << vae.parameter_count() / 1e6 << " M parameters";
    return s.str();
}

}  // namespace studio::demo
