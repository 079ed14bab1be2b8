#include "FindingsJson.h"

#include <cmath>

#include "studio/Generation.h"
#include "studio/Json.h"

namespace studio {

using nlohmann::json;

std::string to_string(Severity s) {
    switch (s) {
        case Severity::Warning: return "warning";
        case Severity::Error: return "error";
        default: return "info";
    }
}

std::optional<Severity> parse_severity(const std::string& s) {
    if (s == "info") return Severity::Info;
    if (s == "warning") return Severity::Warning;
    if (s == "error") return Severity::Error;
    return std::nullopt;
}

bool has_problems(const RunReport& r) {
    for (const auto& f : r.findings)
        if (f.severity != Severity::Info) return true;
    return false;
}

bool final_image_bad(const RunReport& r) {
    if (r.cancelled) return false;
    const bool failed = r.image_verdict == code::kImageBlack || r.image_verdict == code::kImageWhite ||
                        r.image_verdict == code::kImageFlat;
    const bool nonfinite = !r.decode_attempts.empty() ? !r.decode_attempts.back().finite : !r.first_nonfinite_stage.empty();
    return failed || nonfinite;
}

json findings_to_json(const std::vector<Finding>& findings) {
    json a = json::array();
    for (const auto& f : findings)
        a.push_back({{"severity", to_string(f.severity)}, {"code", f.code}, {"module", f.module},
                     {"layer", f.layer}, {"step", f.step}, {"message", f.message}});
    return a;
}

std::vector<Finding> findings_from_json(const json& j) {
    std::vector<Finding> out;
    for (const auto& e : j) {
        Finding f;
        f.severity = parse_severity(e.value("severity", "info")).value_or(Severity::Info);
        f.code = e.value("code", "");
        f.module = e.value("module", "");
        f.layer = e.value("layer", "");
        f.step = json_or<int>(e, "step", -1);
        f.message = e.value("message", "");
        out.push_back(f);
    }
    return out;
}

namespace {
// JSON has no infinity: a site that saw no finite value reports null headroom.
json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double number_or(const json& e, const char* key, double fallback) {
    return e.contains(key) && e[key].is_number() ? e[key].get<double>() : fallback;
}
}  // namespace

json layers_to_json(const std::vector<LayerStats>& layers) {
    json a = json::array();
    for (const auto& l : layers)
        a.push_back({{"module", l.module}, {"layer", l.layer}, {"kind", l.kind}, {"weight_dtype", l.weight_dtype},
                     {"input_dtype", l.input_dtype}, {"output_dtype", l.output_dtype},
                     {"value_precision", l.value_precision}, {"bf16_fraction", l.bf16_fraction},
                     {"fp16_fraction", l.fp16_fraction}, {"elements", l.elements}, {"max_abs", finite_or_null(l.max_abs)},
                     {"fp16_headroom_bits", finite_or_null(l.fp16_headroom_bits)}, {"nan", l.nan}, {"inf", l.inf},
                     {"beyond_fp16", l.beyond_fp16}, {"calls", l.calls}, {"first_nonfinite_step", l.first_nonfinite_step}});
    return a;
}

std::vector<LayerStats> layers_from_json(const json& j) {
    std::vector<LayerStats> out;
    for (const auto& e : j) {
        LayerStats l;
        l.module = e.value("module", "");
        l.layer = e.value("layer", "");
        l.kind = e.value("kind", "");
        l.weight_dtype = e.value("weight_dtype", "");
        l.input_dtype = e.value("input_dtype", "");
        l.output_dtype = e.value("output_dtype", "");
        l.value_precision = e.value("value_precision", "");
        l.bf16_fraction = number_or(e, "bf16_fraction", 0);
        l.fp16_fraction = number_or(e, "fp16_fraction", 0);
        l.elements = json_or<int64_t>(e, "elements", 0);
        l.max_abs = number_or(e, "max_abs", 0);
        l.fp16_headroom_bits = number_or(e, "fp16_headroom_bits", 0);
        l.nan = json_or<int64_t>(e, "nan", 0);
        l.inf = json_or<int64_t>(e, "inf", 0);
        l.beyond_fp16 = json_or<int64_t>(e, "beyond_fp16", 0);
        l.calls = json_or<int>(e, "calls", 0);
        l.first_nonfinite_step = json_or<int>(e, "first_nonfinite_step", -1);
        out.push_back(l);
    }
    return out;
}

json attempts_to_json(const std::vector<DecodeAttempt>& attempts) {
    json a = json::array();
    for (const auto& d : attempts)
        a.push_back({{"numerics", d.numerics}, {"finite", d.finite}, {"verdict", d.verdict}, {"detail", d.detail}});
    return a;
}

std::vector<DecodeAttempt> attempts_from_json(const json& j) {
    std::vector<DecodeAttempt> out;
    for (const auto& e : j) out.push_back({e.value("numerics", ""), e.value("finite", true), e.value("verdict", ""), e.value("detail", "")});
    return out;
}

}  // namespace studio
