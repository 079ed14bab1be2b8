#include "studio/ImageSettings.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "studio/Infotext.h"
#include "studio/Provenance.h"

namespace studio {

using nlohmann::json;

bool ImageSettings::restores(const std::string& name) const {
    return std::find(restored.begin(), restored.end(), name) != restored.end();
}

std::string ImageSettings::summary() const {
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
        return out.empty() ? std::string("nothing") : out;
    };
    switch (origin) {
        case SettingsOrigin::None: return error.empty() ? "the image carries no generation settings" : error;
        case SettingsOrigin::PrecisionStudio: return "a Precision Studio record (" + tool + ")";
        default:
            return "another tool (" + tool + "), not a Precision Studio record: restored " + join(restored) +
                   "; not restored: " + join(not_restored);
    }
}

namespace {

bool to_int(const std::string& s, long long& out) {
    try {
        size_t used = 0;
        out = std::stoll(s, &used);
        return used == s.size();
    } catch (const std::exception&) {
        return false;
    }
}

bool to_float(const std::string& s, float& out) {
    try {
        size_t used = 0;
        out = std::stof(s, &used);
        return used == s.size();
    } catch (const std::exception&) {
        return false;
    }
}

bool set_size(const std::string& value, GenerationParams& p) {
    const auto x = value.find('x');
    long long w = 0, h = 0;
    if (x == std::string::npos || !to_int(value.substr(0, x), w) || !to_int(value.substr(x + 1), h)) return false;
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return false;
    p.width = static_cast<int>(w);
    p.height = static_cast<int>(h);
    return true;
}

// Applies one generic setting (named as A1111 names it) when its value maps cleanly.
bool apply_setting(const std::string& key, const std::string& value, GenerationParams& p) {
    long long n = 0;
    float f = 0;
    if (key == "Steps" && to_int(value, n) && n > 0 && n <= 10000) p.steps = static_cast<int>(n);
    else if (key == "CFG scale" && to_float(value, f)) p.cfg_scale = f;
    else if (key == "Seed" && to_int(value, n) && n >= 0) p.seed = static_cast<uint64_t>(n);
    else if (key == "Size") return set_size(value, p);
    // Only plain Euler means the same update rule here ("Euler a" is ancestral, "euler_ancestral" too).
    else if (key == "Sampler" && (value == "Euler" || value == "euler")) p.sampler = SamplerKind::Euler;
    else return false;
    return true;
}

std::string restored_name(const std::string& key) {
    if (key == "Steps") return "steps";
    if (key == "CFG scale") return "CFG scale";
    if (key == "Seed") return "seed";
    if (key == "Size") return "size";
    return "sampler";
}

std::string a1111_tool(const Infotext& info) {
    const std::string* v = info.find("Version");
    if (!v) return "AUTOMATIC1111-style parameters";
    if (!v->empty() && v->front() == 'f') return "Forge " + *v;
    return "AUTOMATIC1111 WebUI " + *v;
}

}  // namespace

ImageSettings settings_from_a1111(const std::string& parameters) {
    ImageSettings s;
    s.origin = SettingsOrigin::A1111;
    const Infotext info = parse_infotext(parameters);
    s.tool = a1111_tool(info);
    if (!info.prompt.empty()) {
        s.fields.emplace_back("Prompt", info.prompt);
        s.params.prompt = info.prompt;
        s.restored.push_back("prompt");
    }
    if (!info.negative.empty()) {
        s.fields.emplace_back("Negative prompt", info.negative);
        s.params.negative = info.negative;
        s.restored.push_back("negative prompt");
    }
    for (const auto& [key, value] : info.fields) {
        s.fields.emplace_back(key, value);
        if (apply_setting(key, value, s.params)) s.restored.push_back(restored_name(key));
        else s.not_restored.push_back(key + " " + value);
    }
    return s;
}

namespace {

const json* node_at(const json& graph, const json& link) {
    if (!link.is_array() || link.empty()) return nullptr;
    const std::string id = link[0].is_string() ? link[0].get<std::string>() : link[0].is_number() ? link[0].dump() : "";
    const auto it = graph.find(id);
    if (it == graph.end() || !it->is_object()) return nullptr;
    return &*it;
}

const json& inputs_of(const json& node) {
    static const json empty = json::object();
    const auto it = node.find("inputs");
    return it != node.end() && it->is_object() ? *it : empty;
}

std::string class_of(const json& node) {
    const auto it = node.find("class_type");
    return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string scalar(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
    return "";
}

// The text of a CLIPTextEncode-like node a sampler's positive/negative input points at.
std::string text_of(const json& graph, const json& link) {
    const json* node = node_at(graph, link);
    if (!node) return "";
    const json& in = inputs_of(*node);
    for (const char* key : {"text", "text_g", "prompt"})
        if (auto it = in.find(key); it != in.end() && it->is_string()) return it->get<std::string>();
    return "";
}

// Follows "model" inputs (LoRA loaders, patches) up to the loader that names the file.
std::string model_of(const json& graph, const json& link) {
    const json* node = node_at(graph, link);
    for (int hop = 0; node && hop < 16; ++hop) {
        const json& in = inputs_of(*node);
        for (const char* key : {"ckpt_name", "unet_name", "model_name"})
            if (auto it = in.find(key); it != in.end() && it->is_string()) return it->get<std::string>();
        const auto next = in.find("model");
        node = next == in.end() ? nullptr : node_at(graph, *next);
    }
    return "";
}

}  // namespace

ImageSettings settings_from_comfyui(const std::string& prompt_json, const std::string& workflow_json) {
    ImageSettings s;
    s.origin = SettingsOrigin::ComfyUI;
    s.tool = "ComfyUI";
    const json workflow = json::parse(workflow_json, nullptr, false);
    if (workflow.is_object() && workflow.contains("nodes") && workflow["nodes"].is_array())
        s.fields.emplace_back("Workflow", std::to_string(workflow["nodes"].size()) + " nodes");
    const json graph = json::parse(prompt_json, nullptr, false);
    if (!graph.is_object()) {
        if (!prompt_json.empty()) s.fields.emplace_back("Prompt graph", "unreadable (not a JSON object)");
        return s;
    }
    std::vector<std::string> samplers;
    for (const auto& [id, node] : graph.items())
        if (node.is_object() && (class_of(node) == "KSampler" || class_of(node) == "KSamplerAdvanced")) samplers.push_back(id);
    std::sort(samplers.begin(), samplers.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    s.fields.emplace_back("Nodes", std::to_string(graph.size()));
    if (samplers.empty()) return s;
    const json& node = graph[samplers.front()];
    const json& in = inputs_of(node);
    s.fields.emplace_back("Sampler node", "#" + samplers.front() + " " + class_of(node) +
                                              (samplers.size() > 1 ? " (first of " + std::to_string(samplers.size()) + ")" : ""));
    auto add = [&](const std::string& shown, const std::string& generic, const std::string& value) {
        if (value.empty()) return;
        s.fields.emplace_back(shown, value);
        if (!generic.empty() && apply_setting(generic, value, s.params)) s.restored.push_back(restored_name(generic));
        else s.not_restored.push_back(shown + " " + value);
    };
    const std::string positive = in.contains("positive") ? text_of(graph, in["positive"]) : "";
    const std::string negative = in.contains("negative") ? text_of(graph, in["negative"]) : "";
    if (!positive.empty()) {
        s.fields.emplace_back("Prompt", positive);
        s.params.prompt = positive;
        s.restored.push_back("prompt");
    }
    if (!negative.empty()) {
        s.fields.emplace_back("Negative prompt", negative);
        s.params.negative = negative;
        s.restored.push_back("negative prompt");
    }
    add("Seed", "Seed", in.contains("seed") ? scalar(in["seed"]) : in.contains("noise_seed") ? scalar(in["noise_seed"]) : "");
    add("Steps", "Steps", in.contains("steps") ? scalar(in["steps"]) : "");
    add("CFG", "CFG scale", in.contains("cfg") ? scalar(in["cfg"]) : "");
    add("Sampler", "Sampler", in.contains("sampler_name") ? scalar(in["sampler_name"]) : "");
    add("Scheduler", "", in.contains("scheduler") ? scalar(in["scheduler"]) : "");
    if (in.contains("denoise") && scalar(in["denoise"]) != "1.0" && scalar(in["denoise"]) != "1")
        add("Denoise", "", scalar(in["denoise"]));
    if (in.contains("latent_image"))
        if (const json* latent = node_at(graph, in["latent_image"])) {
            const json& li = inputs_of(*latent);
            if (li.contains("width") && li.contains("height"))
                add("Size", "Size", scalar(li["width"]) + "x" + scalar(li["height"]));
        }
    if (in.contains("model")) add("Model", "", model_of(graph, in["model"]));
    return s;
}

ImageSettings read_image_settings(const std::map<std::string, std::string>& text) {
    ImageSettings s;
    if (text.count(kProvenanceJsonKey) ||
        (text.count(kParametersKey) && is_precision_studio_infotext(text.at(kParametersKey)))) {
        if (params_from_provenance(text, s.params, &s.error, &s.report)) {
            s.origin = SettingsOrigin::PrecisionStudio;
            s.has_report = text.count(kProvenanceJsonKey) && s.error.empty();
            s.tool = s.has_report && !s.report.app_version.empty() ? s.report.app_version : app_version();
            s.restored = {"prompt", "negative prompt", "seed", "steps", "CFG scale", "size", "sampler", "precision"};
            return s;
        }
    }
    const auto prompt = text.find("prompt");
    const auto workflow = text.find("workflow");
    if (prompt != text.end() || workflow != text.end())
        return settings_from_comfyui(prompt == text.end() ? "" : prompt->second, workflow == text.end() ? "" : workflow->second);
    if (const auto it = text.find(kParametersKey); it != text.end()) return settings_from_a1111(it->second);
    if (s.error.empty()) s.error = "the image carries no generation settings";
    return s;
}

}  // namespace studio
