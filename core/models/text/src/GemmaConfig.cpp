#include "studio/text/GemmaConfig.h"

#include <set>

#include "studio/Errors.h"
#include "studio/Json.h"
#include "ConfigJson.h"

namespace studio {

namespace {

struct RopeSpec {
    double theta;
    double factor;
};

// One RoPE description: {"rope_type"|"type": "default"|"linear", "factor", "rope_theta"}.
RopeSpec parse_rope(const nlohmann::json& r, RopeSpec base, const std::string& what, const std::string& origin) {
    if (r.is_null()) return base;
    if (!r.is_object()) throw ModelLoadError(what + " is not an object", origin);
    RopeSpec out{config_get<double>(r, "rope_theta", base.theta, origin), 1.0};
    std::string type = config_get<std::string>(r, "rope_type", "", origin);
    if (type.empty()) type = config_get<std::string>(r, "type", "default", origin);
    if (type == "linear") out.factor = config_get<double>(r, "factor", 1.0, origin);
    else if (type != "default")
        throw ModelLoadError(what + ": RoPE type '" + type + "' is not supported (only default and linear)", origin);
    return out;
}

std::vector<bool> parse_layer_types(const nlohmann::json& t, int64_t num_layers, const std::string& origin) {
    std::vector<bool> out;
    if (t.contains("layer_types") && !t["layer_types"].is_null()) {
        const auto& lt = t["layer_types"];
        if (!lt.is_array()) throw ModelLoadError("layer_types is not an array", origin);
        for (const auto& v : lt) {
            const std::string s = v.is_string() ? v.get<std::string>() : std::string();
            if (s == "full_attention") out.push_back(true);
            else if (s == "sliding_attention") out.push_back(false);
            else throw ModelLoadError("layer_types has an unknown entry '" + v.dump() + "'", origin);
        }
        if (static_cast<int64_t>(out.size()) != num_layers)
            throw ModelLoadError("layer_types lists " + std::to_string(out.size()) + " layers but num_hidden_layers is " +
                                     std::to_string(num_layers),
                                 origin);
        return out;
    }
    // Legacy: layer i is global iff (i + 1) % pattern == 0.
    int64_t pattern = config_get<int64_t>(t, "_sliding_window_pattern", 6, origin);
    pattern = config_get<int64_t>(t, "sliding_window_pattern", pattern, origin);
    if (pattern <= 0) throw ModelLoadError("sliding_window_pattern must be positive", origin);
    for (int64_t i = 0; i < num_layers; ++i) out.push_back((i + 1) % pattern == 0);
    return out;
}

}  // namespace

GemmaConfig GemmaConfig::from_json_file(const std::string& path) { return from_json(read_json_file(path), path); }

GemmaConfig GemmaConfig::from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw ModelLoadError("config is not a JSON object", origin);
    static const nlohmann::json kEmpty = nlohmann::json::object();
    const nlohmann::json* tp = &j;
    const std::string top_type = config_get<std::string>(j, "model_type", "", origin);
    if (j.contains("text_config") && !j["text_config"].is_null()) {
        if (!j["text_config"].is_object()) throw ModelLoadError("text_config is not an object", origin);
        tp = &j["text_config"];
    } else if (top_type == "gemma3") {
        tp = &kEmpty;  // multimodal config without text_config: all text defaults
    }
    const auto& t = *tp;
    const std::string type = config_get<std::string>(t, "model_type", "", origin);
    if (!type.empty() && type != "gemma3_text" && type != "gemma3")
        throw ModelLoadError("model_type '" + type + "' is not a Gemma3 text model", origin);

    GemmaConfig c;
    c.vocab_size = config_get<int64_t>(t, "vocab_size", c.vocab_size, origin);
    c.hidden_size = config_get<int64_t>(t, "hidden_size", c.hidden_size, origin);
    c.intermediate_size = config_get<int64_t>(t, "intermediate_size", c.intermediate_size, origin);
    c.num_layers = config_get<int64_t>(t, "num_hidden_layers", c.num_layers, origin);
    c.num_heads = config_get<int64_t>(t, "num_attention_heads", c.num_heads, origin);
    c.num_kv_heads = config_get<int64_t>(t, "num_key_value_heads", c.num_kv_heads, origin);
    c.head_dim = config_get<int64_t>(t, "head_dim", c.head_dim, origin);
    c.rms_eps = config_get<double>(t, "rms_norm_eps", c.rms_eps, origin);
    c.query_pre_attn_scalar = config_get<double>(t, "query_pre_attn_scalar", c.query_pre_attn_scalar, origin);
    c.sliding_window = config_get<int64_t>(t, "sliding_window", c.sliding_window, origin);
    c.layer_is_global = parse_layer_types(t, c.num_layers, origin);

    // Hub style first, then rope_parameters (transformers v5) where present.
    RopeSpec global{config_get<double>(t, "rope_theta", c.rope_global_theta, origin), 1.0};
    if (t.contains("rope_scaling")) global = parse_rope(t["rope_scaling"], global, "rope_scaling", origin);
    RopeSpec local{config_get<double>(t, "rope_local_base_freq", c.rope_local_theta, origin), 1.0};
    if (t.contains("rope_parameters") && !t["rope_parameters"].is_null()) {
        const auto& rp = t["rope_parameters"];
        if (!rp.is_object()) throw ModelLoadError("rope_parameters is not an object", origin);
        if (rp.contains("full_attention") || rp.contains("sliding_attention")) {
            if (rp.contains("full_attention"))
                global = parse_rope(rp["full_attention"], global, "rope_parameters.full_attention", origin);
            if (rp.contains("sliding_attention"))
                local = parse_rope(rp["sliding_attention"], local, "rope_parameters.sliding_attention", origin);
        } else {
            global = parse_rope(rp, global, "rope_parameters", origin);
        }
    }
    if (local.factor != 1.0) throw ModelLoadError("RoPE scaling on sliding-window layers is not supported", origin);
    c.rope_global_theta = global.theta;
    c.rope_global_scaling = global.factor;
    c.rope_local_theta = local.theta;

    // Features of other Gemma generations that this implementation does not compute.
    if (t.contains("attn_logit_softcapping") && !t["attn_logit_softcapping"].is_null())
        throw ModelLoadError("attn_logit_softcapping is not supported (Gemma3 does not use it)", origin);
    if (config_get<bool>(t, "use_bidirectional_attention", false, origin))
        throw ModelLoadError("bidirectional attention is not supported", origin);
    std::string act = config_get<std::string>(t, "hidden_activation", "", origin);
    if (act.empty()) act = config_get<std::string>(t, "hidden_act", "gelu_pytorch_tanh", origin);
    static const std::set<std::string> kTanhGelu{"gelu_pytorch_tanh", "gelu_tanh", "gelu_new"};
    if (!kTanhGelu.count(act)) throw ModelLoadError("activation '" + act + "' is not supported (tanh GELU only)", origin);

    c.validate(origin);
    return c;
}

void GemmaConfig::validate(const std::string& origin) const {
    auto positive = [&](int64_t v, const char* name) {
        if (v <= 0) throw ModelLoadError(std::string(name) + " must be positive, got " + std::to_string(v), origin);
    };
    positive(vocab_size, "vocab_size");
    positive(hidden_size, "hidden_size");
    positive(intermediate_size, "intermediate_size");
    positive(num_layers, "num_hidden_layers");
    positive(num_heads, "num_attention_heads");
    positive(num_kv_heads, "num_key_value_heads");
    positive(head_dim, "head_dim");
    positive(sliding_window, "sliding_window");
    if (num_heads % num_kv_heads != 0)
        throw ModelLoadError("num_attention_heads must be a multiple of num_key_value_heads", origin);
    if (head_dim % 2 != 0) throw ModelLoadError("head_dim must be even for RoPE", origin);
    if (!(rms_eps > 0) || !(query_pre_attn_scalar > 0) || !(rope_local_theta > 0) || !(rope_global_theta > 0) ||
        !(rope_global_scaling > 0))
        throw ModelLoadError("rms_norm_eps, query_pre_attn_scalar, RoPE thetas and factor must be positive", origin);
    if (static_cast<int64_t>(layer_is_global.size()) != num_layers)
        throw ModelLoadError("layer types do not cover num_hidden_layers", origin);
}

nlohmann::json GemmaConfig::to_json() const {
    nlohmann::json t;
    t["model_type"] = "gemma3_text";
    t["vocab_size"] = vocab_size;
    t["hidden_size"] = hidden_size;
    t["intermediate_size"] = intermediate_size;
    t["num_hidden_layers"] = num_layers;
    t["num_attention_heads"] = num_heads;
    t["num_key_value_heads"] = num_kv_heads;
    t["head_dim"] = head_dim;
    t["hidden_activation"] = "gelu_pytorch_tanh";
    t["rms_norm_eps"] = rms_eps;
    t["query_pre_attn_scalar"] = query_pre_attn_scalar;
    t["sliding_window"] = sliding_window;
    t["pad_token_id"] = 0;
    t["eos_token_id"] = 1;
    t["bos_token_id"] = 2;
    t["attention_bias"] = false;
    t["attn_logit_softcapping"] = nullptr;
    t["final_logit_softcapping"] = nullptr;
    nlohmann::json types = nlohmann::json::array();
    for (bool g : layer_is_global) types.push_back(g ? "full_attention" : "sliding_attention");
    t["layer_types"] = types;
    // Older transformers only read the pattern; write it when it reproduces layer_types.
    for (int64_t p = 1; p <= num_layers + 1; ++p) {
        bool same = true;
        for (int64_t i = 0; i < num_layers && same; ++i) same = layer_is_global[i] == ((i + 1) % p == 0);
        if (same) {
            t["sliding_window_pattern"] = p;
            break;
        }
    }
    t["rope_theta"] = rope_global_theta;
    t["rope_local_base_freq"] = rope_local_theta;
    nlohmann::json full{{"rope_type", "default"}, {"rope_theta", rope_global_theta}};
    if (rope_global_scaling != 1.0) {
        t["rope_scaling"] = {{"rope_type", "linear"}, {"factor", rope_global_scaling}};
        full = {{"rope_type", "linear"}, {"factor", rope_global_scaling}, {"rope_theta", rope_global_theta}};
    } else {
        t["rope_scaling"] = nullptr;
    }
    t["rope_parameters"] = {{"full_attention", full},
                            {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", rope_local_theta}}}};
    return {{"architectures", {"Gemma3ForConditionalGeneration"}}, {"model_type", "gemma3"}, {"text_config", t}};
}

int64_t GemmaConfig::parameter_count() const {
    const int64_t attn = hidden_size * head_dim * (2 * num_heads + 2 * num_kv_heads) + 2 * head_dim;
    const int64_t mlp = 3 * hidden_size * intermediate_size;
    const int64_t layer = attn + mlp + 4 * hidden_size;
    return vocab_size * hidden_size + num_layers * layer + hidden_size;
}

bool GemmaConfig::operator==(const GemmaConfig& o) const {
    return vocab_size == o.vocab_size && hidden_size == o.hidden_size && intermediate_size == o.intermediate_size &&
           num_layers == o.num_layers && num_heads == o.num_heads && num_kv_heads == o.num_kv_heads &&
           head_dim == o.head_dim && rms_eps == o.rms_eps && query_pre_attn_scalar == o.query_pre_attn_scalar &&
           rope_local_theta == o.rope_local_theta && rope_global_theta == o.rope_global_theta &&
           rope_global_scaling == o.rope_global_scaling && sliding_window == o.sliding_window &&
           layer_is_global == o.layer_is_global && scale_embeddings == o.scale_embeddings;
}

}  // namespace studio
