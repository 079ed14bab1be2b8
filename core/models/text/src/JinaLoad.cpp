#include <spdlog/spdlog.h>

#include <cmath>

#include "TextModules.h"
#include "studio/Errors.h"
#include "studio/ModuleLoader.h"
#include "studio/WeightStore.h"
#include "studio/text/JinaText.h"

namespace studio {

namespace {

// jina-clip-v2, a text tower saved alone, jina-embeddings-v3 (XLMRobertaLoRA), bare.
const std::vector<std::string> kJinaPrefixes{"text_model.transformer.roberta.", "text_model.transformer.", "roberta.",
                                             ""};
const std::string kOriginal = ".parametrizations.weight.original";
const std::string kLoraA = ".parametrizations.weight.0.lora_A";
const std::string kLoraB = ".parametrizations.weight.0.lora_B";

std::string find_prefix(const WeightStore& store) {
    for (const auto& p : kJinaPrefixes)
        if (store.has(p + "emb_ln.weight")) return p;
    throw ModelLoadError(
        "no Jina text tower weights found (looked for emb_ln.weight with the prefixes text_model.transformer.roberta., "
        "text_model.transformer., roberta. and none)",
        store.origin(), "emb_ln.weight");
}

void check_shape(const WeightStore& store, const std::string& key, const std::vector<int64_t>& expected) {
    const auto actual = store.shape(key);
    if (actual != expected)
        throw ModelLoadError("checkpoint shape " + shape_string(actual) + " but the config implies " +
                                 shape_string(expected),
                             store.file_of(key), key);
}

class JinaResolver {
public:
    JinaResolver(const WeightStore& store, std::string prefix, const JinaConfig& c)
        : m_store(store), m_prefix(std::move(prefix)), m_c(c) {}

    // The fp32 (or checkpoint-dtype) value of one module parameter, LoRA merged.
    torch::Tensor resolve(const std::string& name, const std::vector<int64_t>& shape) const {
        const std::string plain = m_prefix + name;
        if (m_store.has(plain)) {
            check_shape(m_store, plain, shape);
            return m_store.get(plain);
        }
        const std::string suffix = ".weight";
        const bool is_weight = name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
        const std::string base = is_weight ? m_prefix + name.substr(0, name.size() - suffix.size()) : std::string();
        if (!is_weight || !m_store.has(base + kOriginal))
            throw ModelLoadError("tensor missing from the checkpoint" +
                                     (is_weight ? " (neither it nor " + base + kOriginal + " exists)" : std::string()),
                                 m_store.origin(), plain);
        check_shape(m_store, base + kOriginal, shape);
        auto w = m_store.get(base + kOriginal).to(torch::kFloat32);
        if (m_c.lora_task_index < 0) return w;
        return merge(w, base, name.rfind("embeddings.", 0) == 0);
    }

private:
    torch::Tensor merge(const torch::Tensor& w, const std::string& base, bool embedding) const {
        const std::string a_key = base + kLoraA, b_key = base + kLoraB;
        for (const auto& key : {a_key, b_key})
            if (!m_store.has(key))
                throw ModelLoadError("LoRA tensor missing from the checkpoint (config.json merges task '" +
                                         m_c.lora_adaptations[m_c.lora_task_index] + "')",
                                     m_store.file_of(base + kOriginal), key);
        const int64_t r = m_c.lora_rank, rows = w.size(0), cols = w.size(1);
        const auto slots = m_store.shape(a_key).empty() ? 0 : m_store.shape(a_key)[0];
        if (slots <= m_c.lora_task_index)
            throw ModelLoadError("LoRA tensor has " + std::to_string(slots) + " task slots, task index " +
                                     std::to_string(m_c.lora_task_index) + " needed",
                                 m_store.file_of(a_key), a_key);
        // Linear [out,in]: A [n,r,in], B [n,out,r]. Embedding [vocab,dim]: A [n,vocab,r], B [n,r,dim].
        check_shape(m_store, a_key, embedding ? std::vector<int64_t>{slots, rows, r} : std::vector<int64_t>{slots, r, cols});
        check_shape(m_store, b_key, embedding ? std::vector<int64_t>{slots, r, cols} : std::vector<int64_t>{slots, rows, r});
        const auto a = m_store.get(a_key)[m_c.lora_task_index].to(torch::kFloat32);
        const auto b = m_store.get(b_key)[m_c.lora_task_index].to(torch::kFloat32);
        const auto delta = embedding ? torch::matmul(a, b) : torch::matmul(b, a);
        return w + delta * m_c.lora_scale();
    }

    const WeightStore& m_store;
    std::string m_prefix;
    const JinaConfig& m_c;
};

}  // namespace

JinaText load_jina(const ComponentFiles& component, const Numerics& nx) {
    if (component.config_path.empty()) throw ModelLoadError("the clip component has no config.json", component.dir);
    if (component.weight_files.empty())
        throw ModelLoadError("the clip component has no *.safetensors weight files", component.dir);
    const auto config = JinaConfig::from_json_file(component.config_path);
    const auto store = WeightStore::open(component.weight_files);
    const std::string prefix = find_prefix(store);
    const std::string extra = prefix + "encoder.layers." + std::to_string(config.num_layers) + ".norm1.weight";
    if (store.has(extra))
        throw ModelLoadError("the checkpoint has more layers than num_hidden_layers = " +
                                 std::to_string(config.num_layers) + " in " + component.config_path,
                             store.file_of(extra), extra);

    torch::NoGradGuard no_grad;
    JinaText model(config, nx);
    const JinaResolver resolver(store, prefix, config);
    int64_t parameters = 0;
    for (auto& item : model->named_parameters(true)) {
        item.value().set_data(cast_weight(resolver.resolve(item.key(), item.value().sizes().vec()), nx));
        parameters += item.value().numel();
    }
    model->eval();
    spdlog::info("Jina CLIP text tower: {} parameters ({}), {} layers, key prefix '{}', LoRA task {}", parameters,
                 nx.label(), config.num_layers, prefix,
                 config.lora_task_index >= 0 ? "'" + config.lora_adaptations[config.lora_task_index] + "' merged"
                                             : std::string("none"));
    return model;
}

std::vector<std::pair<std::string, torch::Tensor>> random_jina_weights(const JinaConfig& c, uint64_t seed) {
    c.validate();
    torch::NoGradGuard no_grad;
    text_detail::SeededNormal normal(seed);
    const auto fan_in = &text_detail::SeededNormal::fan_in;
    const int64_t n = std::max<int64_t>(1, static_cast<int64_t>(c.lora_adaptations.size())), r = c.lora_rank;

    std::vector<std::pair<std::string, torch::Tensor>> out;
    const std::string p = "text_model.transformer.roberta.";
    // An adapted layer: original weight plus one LoRA slot per task (none without a rank).
    auto adapted = [&](const std::string& base, int64_t rows, int64_t cols, bool embedding) {
        if (r > 0) {
            out.emplace_back(base + kLoraA, embedding ? normal({n, rows, r}, 1.0) : normal({n, r, cols}, fan_in(cols)));
            out.emplace_back(base + kLoraB, embedding ? normal({n, r, cols}, 0.5 * fan_in(r)) : normal({n, rows, r}, 0.5 * fan_in(r)));
        }
        out.emplace_back(base + kOriginal, normal({rows, cols}, embedding ? 1.0 : fan_in(cols)));
    };
    auto layer_norm = [&](const std::string& base, int64_t h) {
        out.emplace_back(base + ".bias", normal({h}, 0.1));
        out.emplace_back(base + ".weight", 1.0 + normal({h}, 0.1));
    };
    const int64_t h = c.hidden_size, inter = c.intermediate_size;
    layer_norm(p + "emb_ln", h);
    if (c.type_vocab_size > 0) adapted(p + "embeddings.token_type_embeddings", c.type_vocab_size, h, true);
    adapted(p + "embeddings.word_embeddings", c.vocab_size, h, true);
    for (int64_t i = 0; i < c.num_layers; ++i) {
        const std::string l = p + "encoder.layers." + std::to_string(i) + ".";
        out.emplace_back(l + "mixer.Wqkv.bias", normal({3 * h}, 0.02));
        adapted(l + "mixer.Wqkv", 3 * h, h, false);
        out.emplace_back(l + "mixer.out_proj.bias", normal({h}, 0.02));
        adapted(l + "mixer.out_proj", h, h, false);
        out.emplace_back(l + "mlp.fc1.bias", normal({inter}, 0.02));
        adapted(l + "mlp.fc1", inter, h, false);
        out.emplace_back(l + "mlp.fc2.bias", normal({h}, 0.02));
        adapted(l + "mlp.fc2", h, inter, false);
        layer_norm(l + "norm1", h);
        layer_norm(l + "norm2", h);
    }
    return out;
}

}  // namespace studio
