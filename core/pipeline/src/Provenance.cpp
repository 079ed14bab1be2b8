#include "studio/Provenance.h"

#include <nlohmann/json.hpp>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "studio/GenerationJson.h"
#include "studio/Infotext.h"

namespace studio {

using nlohmann::json;

std::string app_version() { return "Precision Studio 0.1.0"; }

std::string sampler_infotext_name(SamplerKind s) { return s == SamplerKind::Midpoint ? "Midpoint" : "Euler"; }

std::string model_name(const std::string& model_dir) {
    std::string dir = model_dir;
    while (dir.size() > 1 && (dir.back() == '/' || dir.back() == '\\')) dir.pop_back();
    const auto slash = dir.find_last_of("/\\");
    return slash == std::string::npos ? dir : dir.substr(slash + 1);
}

std::string model_hash(const RunReport& report) {
    const auto it = report.weight_hashes.find("transformer");
    return it == report.weight_hashes.end() ? std::string{} : it->second.substr(0, 10);
}

namespace {
std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}
}  // namespace

std::string a1111_parameters(const GenerationParams& p, const RunReport* report) {
    Infotext info;
    info.prompt = p.prompt;
    info.negative = p.negative;
    auto& f = info.fields;
    f = {{"Steps", std::to_string(p.steps)},
         {"Sampler", sampler_infotext_name(p.sampler)},
         {"CFG scale", number(p.cfg_scale)},
         {"Seed", std::to_string(p.seed)},
         {"Size", std::to_string(p.width) + "x" + std::to_string(p.height)}};
    if (report && !model_hash(*report).empty()) f.emplace_back("Model hash", model_hash(*report));
    if (!model_name(p.model_dir).empty()) f.emplace_back("Model", model_name(p.model_dir));
    f.emplace_back("Shift", number(p.shift));
    f.emplace_back("CFG truncation", number(p.cfg_trunc));
    f.emplace_back("Precision", p.precision.to_string());
    if (report) {
        std::string effective;
        for (const auto& m : report->modules) effective += (effective.empty() ? "" : ",") + to_string(m.module) + "=" + m.numerics;
        if (!effective.empty()) f.emplace_back("Effective precision", effective);
        if (!report->device_name.empty()) f.emplace_back("Device", report->device_name);
    }
    f.emplace_back("Version", app_version());
    return format_infotext(info);
}

namespace {
// Replaces the model folder's absolute path by its name in every string of the record (params,
// warnings, notes): shared images must not reveal private folder layouts.
void strip_model_path(json& j, const std::string& dir, const std::string& name) {
    if (j.is_string()) {
        std::string s = j.get<std::string>();
        for (size_t at = s.find(dir); !dir.empty() && at != std::string::npos; at = s.find(dir, at + name.size()))
            s.replace(at, dir.size(), name);
        j = s;
    } else if (j.is_structured()) {
        for (auto& child : j) strip_model_path(child, dir, name);
    }
}

bool env_asks_for_paths() {
    const char* v = std::getenv("PRECISION_STUDIO_RECORD_PATHS");
    return v && *v && std::string(v) != "0";
}
}  // namespace

std::map<std::string, std::string> provenance_text(const RunReport& report, const std::string& extra_json,
                                                   ProvenancePaths paths) {
    json record = json::parse(report.to_json(-1));
    record["app_version"] = app_version();
    if (!extra_json.empty()) {
        try {
            record["extra"] = json::parse(extra_json);
        } catch (const std::exception&) {
            record["extra"] = extra_json;
        }
    }
    if (paths == ProvenancePaths::NameOnly && !env_asks_for_paths()) {
        std::string dir = report.params.model_dir;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        strip_model_path(record, dir, model_name(dir));
        if (record.contains("params")) record["params"]["model_dir"] = model_name(dir);
    }
    return {{kParametersKey, a1111_parameters(report.params, &report)},
            {kProvenanceJsonKey, record.dump(-1, ' ', false, json::error_handler_t::replace)}};
}

namespace {
// Applies the items of an A1111 settings line that this program writes; unknown keys are ignored
// and a malformed value keeps its default.
void apply_infotext_fields(const Infotext& info, GenerationParams& p) {
    for (const auto& [key, value] : info.fields) {
        try {
            if (key == "Steps") p.steps = std::stoi(value);
            else if (key == "Sampler") parse_sampler_name(value, p.sampler);
            else if (key == "CFG scale") p.cfg_scale = std::stof(value);
            else if (key == "Seed") p.seed = std::stoull(value);
            else if (key == "Shift") p.shift = std::stof(value);
            else if (key == "CFG truncation") p.cfg_trunc = std::stof(value);
            else if (key == "Precision") p.precision = PrecisionConfig::parse(value, ValueSource::Settings);
            else if (key == "Model") p.model_dir = value;
            else if (key == "Size") {
                const auto x = value.find('x');
                if (x != std::string::npos) {
                    p.width = std::stoi(value.substr(0, x));
                    p.height = std::stoi(value.substr(x + 1));
                }
            }
        } catch (const std::exception&) {
        }
    }
}
}  // namespace

bool parse_sampler_name(const std::string& name, SamplerKind& out) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return parse_sampler(lower, out);
}

bool is_precision_studio_infotext(const std::string& parameters) {
    const Infotext info = parse_infotext(parameters);
    const std::string* version = info.find("Version");
    return version && version->rfind("Precision Studio", 0) == 0;
}

bool params_from_provenance(const std::map<std::string, std::string>& text, GenerationParams& out, std::string* error,
                            RunReport* report) {
    if (auto it = text.find(kProvenanceJsonKey); it != text.end()) {
        try {
            const RunReport r = RunReport::from_json(it->second);
            out = r.params;
            if (report) *report = r;
            return true;
        } catch (const std::exception& e) {
            if (error) *error = std::string("embedded settings are unreadable: ") + e.what();
        }
    }
    if (auto it = text.find(kParametersKey); it != text.end()) {
        if (!is_precision_studio_infotext(it->second)) {
            if (error) *error = "the 'parameters' text was not written by Precision Studio";
            return false;
        }
        const Infotext info = parse_infotext(it->second);
        GenerationParams p;
        p.prompt = info.prompt;
        p.negative = info.negative;
        apply_infotext_fields(info, p);
        out = p;
        return true;
    }
    if (error && error->empty()) *error = "the image carries no generation settings";
    return false;
}

}  // namespace studio
