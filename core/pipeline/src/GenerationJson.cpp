// JSON forms of GenerationParams and RunReport (reports, provenance, the UI's report view).
#include <nlohmann/json.hpp>

#include "FindingsJson.h"
#include "studio/Errors.h"
#include "studio/Generation.h"
#include "studio/GenerationJson.h"
#include "studio/Json.h"
#include "studio/Provenance.h"

namespace studio {

using nlohmann::json;

std::string to_string(SamplerKind s) { return s == SamplerKind::Midpoint ? "midpoint" : "euler"; }
std::string to_string(DeviceKind d) { return d == DeviceKind::CUDA ? "cuda" : "cpu"; }
std::string to_string(AuditLevel a) {
    switch (a) {
        case AuditLevel::Off: return "off";
        case AuditLevel::Deep: return "deep";
        default: return "basic";
    }
}

bool parse_audit_level(const std::string& s, AuditLevel& out) {
    if (s == "off") out = AuditLevel::Off;
    else if (s == "basic") out = AuditLevel::Basic;
    else if (s == "deep") out = AuditLevel::Deep;
    else return false;
    return true;
}

std::string to_string(MemoryPolicy m) {
    switch (m) {
        case MemoryPolicy::Keep: return "keep";
        case MemoryPolicy::Release: return "release";
        case MemoryPolicy::Offload: return "offload";
        case MemoryPolicy::Sequential: return "sequential";
        default: return "auto";
    }
}

bool parse_memory_policy(const std::string& s, MemoryPolicy& out) {
    for (auto m : {MemoryPolicy::Auto, MemoryPolicy::Keep, MemoryPolicy::Release, MemoryPolicy::Offload, MemoryPolicy::Sequential})
        if (s == to_string(m)) {
            out = m;
            return true;
        }
    return false;
}

std::string to_string(SystemPromptMode m) {
    switch (m) {
        case SystemPromptMode::None: return "none";
        case SystemPromptMode::Custom: return "custom";
        default: return "training";
    }
}

bool parse_sampler(const std::string& s, SamplerKind& out) {
    if (s == "euler") out = SamplerKind::Euler;
    else if (s == "midpoint") out = SamplerKind::Midpoint;
    else return false;
    return true;
}

bool parse_device(const std::string& s, DeviceKind& out) {
    if (s == "cpu") out = DeviceKind::CPU;
    else if (s == "cuda" || s == "gpu") out = DeviceKind::CUDA;
    else return false;
    return true;
}

std::string GenerationParams::to_string() const {
    return "seed=" + std::to_string(seed) + " steps=" + std::to_string(steps) + " cfg=" + std::to_string(cfg_scale) +
           " size=" + std::to_string(width) + "x" + std::to_string(height) + " sampler=" + studio::to_string(sampler) +
           " device=" + studio::to_string(device) + " precision=" + precision.to_string() +
           " numerics=" + studio::to_string(numerics);
}

json params_to_json(const GenerationParams& p) {
    json j{{"model_dir", p.model_dir},
                {"prompt", p.prompt},
                {"negative", p.negative},
                {"seed", p.seed},
                {"steps", p.steps},
                {"cfg_scale", p.cfg_scale},
                {"cfg_trunc", p.cfg_trunc},
                {"renorm_cfg", p.renorm_cfg},
                {"shift", p.shift},
                {"width", p.width},
                {"height", p.height},
                {"sampler", to_string(p.sampler)},
                {"precision", p.precision.to_string()},
                {"device", to_string(p.device)},
                {"numerics", to_string(p.numerics)},
                {"system_prompt", to_string(p.system_prompt)},
                {"custom_system_prompt", p.custom_system_prompt},
                {"vae_fp32_fallback", p.vae_fp32_fallback}};
    // Only when they differ from the defaults, so ordinary provenance stays as it was.
    if (p.audit != AuditLevel::Basic) j["audit"] = to_string(p.audit);
    if (!p.inject.empty()) j["inject"] = p.inject;
    if (p.memory != MemoryPolicy::Auto) j["memory"] = to_string(p.memory);
    return j;
}

GenerationParams params_from_json(const json& j) {
    GenerationParams p;
    p.model_dir = j.value("model_dir", "");
    parse_audit_level(j.value("audit", "basic"), p.audit);
    p.inject = j.value("inject", "");
    parse_memory_policy(j.value("memory", "auto"), p.memory);
    p.prompt = j.value("prompt", "");
    p.negative = j.value("negative", "");
    p.seed = json_or<uint64_t>(j, "seed", 0);
    p.steps = json_or(j, "steps", p.steps);
    p.cfg_scale = j.value("cfg_scale", p.cfg_scale);
    p.cfg_trunc = j.value("cfg_trunc", p.cfg_trunc);
    p.renorm_cfg = j.value("renorm_cfg", p.renorm_cfg);
    p.shift = j.value("shift", p.shift);
    p.width = json_or(j, "width", p.width);
    p.height = json_or(j, "height", p.height);
    parse_sampler(j.value("sampler", "euler"), p.sampler);
    parse_device(j.value("device", "cpu"), p.device);
    if (j.contains("precision")) p.precision = PrecisionConfig::parse(j["precision"].get<std::string>(), ValueSource::Settings);
    const std::string n = j.value("numerics", "auto");
    p.numerics = parse_numerics_mode(n).value_or(NumericsMode::Auto);
    const std::string sp = j.value("system_prompt", "training");
    p.system_prompt = sp == "none" ? SystemPromptMode::None : sp == "custom" ? SystemPromptMode::Custom : SystemPromptMode::Training;
    p.custom_system_prompt = j.value("custom_system_prompt", "");
    p.vae_fp32_fallback = j.value("vae_fp32_fallback", false);
    return p;
}

std::string RunReport::to_json(int indent) const {
    json modules_j = json::array();
    for (const auto& m : modules)
        modules_j.push_back({{"module", studio::to_string(m.module)},
                             {"requested", m.requested},
                             {"numerics", m.numerics},
                             {"weight_dtypes", m.weight_dtypes},
                             {"activation_dtypes", m.activation_dtypes},
                             {"mismatch", m.mismatch},
                             {"note", m.note},
                             {"load_seconds", m.load_seconds},
                             {"from_cache", m.from_cache}});
    json checks_j = json::array();
    for (const auto& c : checks)
        checks_j.push_back({{"stage", c.stage}, {"total", c.total}, {"nan", c.nan}, {"inf", c.inf},
                            {"saturated", c.saturated}, {"min", c.min}, {"max", c.max}, {"mean_abs", c.mean_abs}});
    json timings_j = json::array();
    for (const auto& t : timings) timings_j.push_back({{"stage", t.stage}, {"seconds", t.seconds}});
    const json j{{"params", params_to_json(params)},
                 {"device_name", device_name},
                 {"modules", modules_j},
                 {"checks", checks_j},
                 {"timings", timings_j},
                 {"total_seconds", total_seconds},
                 {"peak_memory_bytes", peak_memory_bytes},
                 {"memory_kind", memory_kind},
                 {"memory_policy", memory_policy},
                 {"memory_policy_reason", memory_policy_reason},
                 {"prompt_layout", prompt_layout},
                 {"first_nonfinite_stage", first_nonfinite_stage},
                 {"black_image", black_image},
                 {"vae_fallback_used", vae_fallback_used},
                 {"image_verdict", image_verdict},
                 {"decode_attempts", attempts_to_json(decode_attempts)},
                 {"audit_level", audit_level},
                 {"findings", findings_to_json(findings)},
                 {"layers", layers_to_json(layers)},
                 {"warnings", warnings},
                 {"weight_hashes", weight_hashes},
                 {"app_version", app_version},
                 {"cancelled", cancelled}};
    // Non-finite statistics (NaN min/max) must not break the JSON: dump replaces invalid UTF-8 too.
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace {

// {dtype: count} with every count checked (json_get): the report may come from an image file.
std::map<std::string, int64_t> count_map(const json& obj, const char* key) {
    std::map<std::string, int64_t> out;
    const auto it = obj.find(key);
    if (it == obj.end() || !it->is_object()) return out;
    for (const auto& [name, count] : it->items()) out[name] = json_get<int64_t>(count);
    return out;
}

}  // namespace

RunReport RunReport::from_json(const std::string& text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const std::exception& e) {
        throw StudioError(std::string("run report is not valid JSON: ") + e.what());
    }
    RunReport r;
    try {
        if (j.contains("params")) r.params = params_from_json(j["params"]);
        r.device_name = j.value("device_name", "");
        for (const auto& m : j.value("modules", json::array())) {
            ModuleReport mr;
            if (auto mod = parse_module(m.value("module", ""))) mr.module = *mod;
            mr.requested = m.value("requested", "");
            mr.numerics = m.value("numerics", "");
            mr.weight_dtypes = count_map(m, "weight_dtypes");
            mr.activation_dtypes = count_map(m, "activation_dtypes");
            mr.mismatch = m.value("mismatch", false);
            mr.note = m.value("note", "");
            mr.load_seconds = m.value("load_seconds", 0.0);
            mr.from_cache = m.value("from_cache", false);
            r.modules.push_back(mr);
        }
        for (const auto& c : j.value("checks", json::array())) {
            FiniteCheck fc;
            fc.stage = c.value("stage", "");
            fc.total = json_or<int64_t>(c, "total", 0);
            fc.nan = json_or<int64_t>(c, "nan", 0);
            fc.inf = json_or<int64_t>(c, "inf", 0);
            fc.saturated = json_or<int64_t>(c, "saturated", 0);
            // NaN statistics are written as null; a missing key must not reach const operator[].
            auto number = [&c](const char* key) {
                const auto it = c.find(key);
                return it != c.end() && it->is_number() ? it->get<double>() : 0.0;
            };
            fc.min = number("min");
            fc.max = number("max");
            fc.mean_abs = number("mean_abs");
            r.checks.push_back(fc);
        }
        for (const auto& t : j.value("timings", json::array())) r.timings.push_back({t.value("stage", ""), t.value("seconds", 0.0)});
        r.total_seconds = j.value("total_seconds", 0.0);
        r.peak_memory_bytes = json_or<int64_t>(j, "peak_memory_bytes", 0);
        r.memory_kind = j.value("memory_kind", "");
        r.memory_policy = j.value("memory_policy", "");
        r.memory_policy_reason = j.value("memory_policy_reason", "");
        r.prompt_layout = j.value("prompt_layout", "as typed");
        r.first_nonfinite_stage = j.value("first_nonfinite_stage", "");
        r.black_image = j.value("black_image", false);
        r.vae_fallback_used = j.value("vae_fallback_used", false);
        r.image_verdict = j.value("image_verdict", r.black_image ? "image-black" : "ok");
        r.decode_attempts = attempts_from_json(j.value("decode_attempts", json::array()));
        r.audit_level = j.value("audit_level", "");
        r.findings = findings_from_json(j.value("findings", json::array()));
        r.layers = layers_from_json(j.value("layers", json::array()));
        r.warnings = j.value("warnings", std::vector<std::string>{});
        r.weight_hashes = j.value("weight_hashes", std::map<std::string, std::string>{});
        r.app_version = j.value("app_version", "");
        r.cancelled = j.value("cancelled", false);
    } catch (const StudioError&) {
        throw;
    } catch (const std::exception& e) {
        throw StudioError(std::string("run report has an unexpected structure: ") + e.what());
    }
    return r;
}

}  // namespace studio
