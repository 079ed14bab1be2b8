#include <spdlog/spdlog.h>

#include <cmath>

#include "TextModules.h"
#include "studio/Errors.h"
#include "studio/ModuleLoader.h"
#include "studio/WeightStore.h"
#include "studio/text/Gemma3Text.h"

namespace studio {

namespace {

// Where checkpoints put the text model, most specific first: the hub's
// Gemma3ForConditionalGeneration, transformers >= 4.52, Gemma3Model, Gemma3ForCausalLM, bare.
const std::vector<std::string> kGemmaPrefixes{"language_model.model.", "model.language_model.", "language_model.",
                                              "model.", ""};

std::string find_prefix(const WeightStore& store) {
    for (const auto& p : kGemmaPrefixes)
        if (store.has(p + "embed_tokens.weight")) return p;
    throw ModelLoadError(
        "no Gemma3 text weights found (looked for embed_tokens.weight with the prefixes language_model.model., "
        "model.language_model., language_model., model. and none)",
        store.origin(), "embed_tokens.weight");
}

}  // namespace

Gemma3Text load_gemma(const ComponentFiles& component, const Numerics& nx, bool all_layers) {
    if (component.config_path.empty()) throw ModelLoadError("the text encoder has no config.json", component.dir);
    if (component.weight_files.empty())
        throw ModelLoadError("the text encoder has no *.safetensors weight files", component.dir);
    const auto config = GemmaConfig::from_json_file(component.config_path);
    const auto store = WeightStore::open(component.weight_files);
    const std::string prefix = find_prefix(store);

    // The layer count decides which output is hidden_states[-2]: check it against the weights
    // even for the last layer, which is not loaded by default.
    const auto layer_key = [&](int64_t i) { return prefix + "layers." + std::to_string(i) + ".input_layernorm.weight"; };
    if (!store.has(layer_key(config.num_layers - 1)))
        throw ModelLoadError("tensor missing from the checkpoint (config.json says " +
                                 std::to_string(config.num_layers) + " layers)",
                             store.origin(), layer_key(config.num_layers - 1));
    if (store.has(layer_key(config.num_layers)))
        throw ModelLoadError("the checkpoint has more layers than num_hidden_layers = " +
                                 std::to_string(config.num_layers) + " in " + component.config_path,
                             store.file_of(layer_key(config.num_layers)), layer_key(config.num_layers));

    Gemma3Text model(config, nx, all_layers ? config.num_layers : config.num_layers - 1);
    const auto report = load_module_weights(*model, store, nx, prefix);
    model->eval();
    spdlog::info("Gemma3 text encoder: {} parameters ({}), {} of {} layers loaded, key prefix '{}', {} tensors unused",
                 report.parameters, nx.label(), model->layers_built(), config.num_layers, prefix,
                 report.unused_keys.size());
    return model;
}

std::vector<std::pair<std::string, torch::Tensor>> random_gemma_weights(const GemmaConfig& c, uint64_t seed) {
    c.validate();
    torch::NoGradGuard no_grad;
    text_detail::SeededNormal normal(seed);
    const auto fan_in = &text_detail::SeededNormal::fan_in;

    const int64_t h = c.hidden_size, d = c.head_dim, inter = c.intermediate_size;
    const std::string p = "language_model.model.";
    std::vector<std::pair<std::string, torch::Tensor>> out;
    // Embeddings ~ N(0, 1/hidden) so that the sqrt(hidden)-scaled inputs are ~ N(0, 1).
    out.emplace_back(p + "embed_tokens.weight", normal({c.vocab_size, h}, fan_in(h)));
    for (int64_t i = 0; i < c.num_layers; ++i) {
        const std::string l = p + "layers." + std::to_string(i) + ".";
        // Norm weights are stored as w in (1 + w): small values around 0.
        out.emplace_back(l + "input_layernorm.weight", normal({h}, 0.1));
        out.emplace_back(l + "mlp.down_proj.weight", normal({h, inter}, fan_in(inter)));
        out.emplace_back(l + "mlp.gate_proj.weight", normal({inter, h}, fan_in(h)));
        out.emplace_back(l + "mlp.up_proj.weight", normal({inter, h}, fan_in(h)));
        out.emplace_back(l + "post_attention_layernorm.weight", normal({h}, 0.1));
        out.emplace_back(l + "post_feedforward_layernorm.weight", normal({h}, 0.1));
        out.emplace_back(l + "pre_feedforward_layernorm.weight", normal({h}, 0.1));
        out.emplace_back(l + "self_attn.k_norm.weight", normal({d}, 0.1));
        out.emplace_back(l + "self_attn.k_proj.weight", normal({c.num_kv_heads * d, h}, fan_in(h)));
        out.emplace_back(l + "self_attn.o_proj.weight", normal({h, c.num_heads * d}, fan_in(c.num_heads * d)));
        out.emplace_back(l + "self_attn.q_norm.weight", normal({d}, 0.1));
        out.emplace_back(l + "self_attn.q_proj.weight", normal({c.num_heads * d, h}, fan_in(h)));
        out.emplace_back(l + "self_attn.v_proj.weight", normal({c.num_kv_heads * d, h}, fan_in(h)));
    }
    out.emplace_back(p + "norm.weight", normal({h}, 0.1));
    return out;
}

}  // namespace studio
