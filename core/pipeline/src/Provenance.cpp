#include "studio/Provenance.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "studio/GenerationJson.h"

namespace studio {

using nlohmann::json;

std::string app_version() { return "Precision Studio 0.1.0"; }

std::string a1111_parameters(const GenerationParams& p, const RunReport* report) {
    std::ostringstream s;
    s << p.prompt;
    if (!p.negative.empty()) s << "\nNegative prompt: " << p.negative;
    s << "\nSteps: " << p.steps << ", Sampler: " << to_string(p.sampler) << ", CFG scale: " << p.cfg_scale
      << ", Seed: " << p.seed << ", Size: " << p.width << "x" << p.height << ", Shift: " << p.shift
      << ", CFG truncation: " << p.cfg_trunc << ", Precision: " << p.precision.to_string();
    if (report) {
        std::string effective;
        for (const auto& m : report->modules) effective += (effective.empty() ? "" : ",") + to_string(m.module) + "=" + m.numerics;
        if (!effective.empty()) s << ", Effective precision: " << effective;
        if (!report->device_name.empty()) s << ", Device: " << report->device_name;
    }
    s << ", Version: " << app_version();
    return s.str();
}

std::map<std::string, std::string> provenance_text(const RunReport& report, const std::string& extra_json) {
    json record = json::parse(report.to_json(-1));
    record["app_version"] = app_version();
    if (!extra_json.empty()) {
        try {
            record["extra"] = json::parse(extra_json);
        } catch (const std::exception&) {
            record["extra"] = extra_json;
        }
    }
    return {{kParametersKey, a1111_parameters(report.params, &report)},
            {kProvenanceJsonKey, record.dump(-1, ' ', false, json::error_handler_t::replace)}};
}

namespace {
// Parses "Steps: 28, Sampler: euler, CFG scale: 5, Seed: 42, Size: 1024x1024, ..." into p.
// Items are separated by ", "; the precision spec itself uses bare commas, so it stays whole.
void parse_a1111_settings(const std::string& line, GenerationParams& p) {
    size_t start = 0;
    while (start < line.size()) {
        size_t end = line.find(", ", start);
        if (end == std::string::npos) end = line.size();
        const std::string item = line.substr(start, end - start);
        start = end + 2;
        const auto colon = item.find(": ");
        if (colon == std::string::npos) continue;
        const std::string key = item.substr(0, colon);
        const std::string value = item.substr(colon + 2);
        try {
            if (key == "Steps") p.steps = std::stoi(value);
            else if (key == "Sampler") parse_sampler(value, p.sampler);
            else if (key == "CFG scale") p.cfg_scale = std::stof(value);
            else if (key == "Seed") p.seed = std::stoull(value);
            else if (key == "Shift") p.shift = std::stof(value);
            else if (key == "CFG truncation") p.cfg_trunc = std::stof(value);
            else if (key == "Precision") p.precision = PrecisionConfig::parse(value, ValueSource::Settings);
            else if (key == "Size") {
                const auto x = value.find('x');
                if (x != std::string::npos) {
                    p.width = std::stoi(value.substr(0, x));
                    p.height = std::stoi(value.substr(x + 1));
                }
            }
        } catch (const std::exception&) {
            // A malformed value keeps its default; the rest of the line still applies.
        }
    }
}
}  // namespace

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
        const std::string& s = it->second;
        const auto last_nl = s.rfind('\n');
        if (last_nl == std::string::npos) {
            if (error) *error = "the 'parameters' text has no settings line";
            return false;
        }
        GenerationParams p;
        std::string head = s.substr(0, last_nl);
        parse_a1111_settings(s.substr(last_nl + 1), p);
        const auto neg = head.find("\nNegative prompt: ");
        if (neg != std::string::npos) {
            p.negative = head.substr(neg + 18);
            head = head.substr(0, neg);
        }
        p.prompt = head;
        out = p;
        return true;
    }
    if (error && error->empty()) *error = "the image carries no generation settings";
    return false;
}

}  // namespace studio
