// The sweep's files: sweep.json (everything, resumable), sweep.csv (one line per row) and
// sweep.md (the two tables people ask for: time / memory per precision, accuracy per precision).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "studio/Json.h"
#include <sstream>

#include "studio/Errors.h"
#include "studio/Sweep.h"

namespace studio {

namespace {
using nlohmann::json;

const char* const kAttributes[] = {"hair", "eyes", "expression", "background", "separation"};

json num(double v) {
    if (std::isnan(v)) return nullptr;
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return v;
}
double num_back(const json& j) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) return j.get<std::string>() == "-inf" ? -INFINITY : INFINITY;
    return std::nan("");
}

json row_json(const SweepRow& r) {
    return {{"config", r.config},
            {"precision", r.precision},
            {"prompt_index", r.prompt_index},
            {"seed", r.seed},
            {"reference", r.reference},
            {"runs", r.runs},
            {"encode_s", r.encode_s},
            {"sample_s", r.sample_s},
            {"decode_s", r.decode_s},
            {"image_s", r.image_s},
            {"peak_memory_bytes", r.peak_memory_bytes},
            {"memory_kind", r.memory_kind},
            {"psnr_db", num(r.psnr)},
            {"ssim", num(r.ssim)},
            {"max_abs", num(r.max_abs)},
            {"mean_abs", num(r.mean_abs)},
            {"numerics", r.numerics},
            {"findings", r.findings},
            {"divergence_per_step", divergence_to_json(r.divergence)}};
}

SweepRow row_back(const json& j) {
    SweepRow r;
    r.config = j.at("config").get<std::string>();
    r.precision = j.value("precision", "");
    r.prompt_index = json_or<int>(j, "prompt_index", 0);
    r.seed = j.value("seed", uint64_t{0});
    r.reference = j.value("reference", false);
    r.runs = json_or<int>(j, "runs", 0);
    r.encode_s = j.value("encode_s", 0.0);
    r.sample_s = j.value("sample_s", 0.0);
    r.decode_s = j.value("decode_s", 0.0);
    r.image_s = j.value("image_s", 0.0);
    r.peak_memory_bytes = json_or<int64_t>(j, "peak_memory_bytes", 0);
    r.memory_kind = j.value("memory_kind", "");
    r.psnr = num_back(j.value("psnr_db", json()));
    r.ssim = num_back(j.value("ssim", json()));
    r.max_abs = num_back(j.value("max_abs", json()));
    r.mean_abs = num_back(j.value("mean_abs", json()));
    r.numerics = j.value("numerics", std::map<std::string, std::string>{});
    r.findings = j.value("findings", std::vector<std::string>{});
    r.divergence = divergence_from_json(j.value("divergence_per_step", json::array()));
    return r;
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}
std::string psnr_text(double v) { return std::isinf(v) ? "inf" : std::isnan(v) ? "nan" : fmt("%.2f", v); }
std::string mib(int64_t b) { return fmt("%.0f MiB", b / 1048576.0); }
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}
std::string md_cell(std::string s) {
    for (size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
    return s;
}
std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}
}  // namespace

std::string sweep_to_json(const SweepResults& r) {
    const auto& s = r.settings;
    json configs = json::array();
    for (const auto& c : r.configs) configs.push_back({{"name", c.name}, {"precision", c.precision.to_string()}});
    json rows = json::array();
    for (const auto& row : r.rows) rows.push_back(row_json(row));
    json acc = json::array();
    for (const auto& a : r.accuracy) {
        json attrs;
        for (const auto& [name, c] : a.counts)
            attrs[name] = {{"correct", c.first}, {"total", c.second}, {"accuracy", num(a.accuracy(name) >= 0 ? a.accuracy(name) : NAN)}};
        acc.push_back({{"config", a.config}, {"samples", a.samples}, {"image_s", a.image_s}, {"attributes", attrs}});
    }
    const json j{{"settings",
                  {{"model", s.model}, {"width", s.width}, {"height", s.height}, {"steps", s.steps}, {"cfg", s.cfg},
                   {"sampler", s.sampler}, {"device", s.device}, {"numerics", s.numerics},
                   {"settings_source", s.settings_source}, {"grid", to_string(s.grid)}, {"prompts", s.prompts},
                   {"seeds", s.seeds}, {"runs", s.runs}, {"samples", s.samples}, {"sample_seed", s.sample_seed}}},
                 {"device_name", r.device_name},
                 {"complete", r.complete},
                 {"configurations", configs},
                 {"rows", rows},
                 {"accuracy", acc}};
    return j.dump(2) + "\n";
}

SweepResults sweep_from_json(const std::string& text) {
    SweepResults r;
    try {
        const json j = json::parse(text);
        const json& s = j.at("settings");
        auto& o = r.settings;
        o.model = s.value("model", "");
        o.width = json_or<int>(s, "width", 0);
        o.height = json_or<int>(s, "height", 0);
        o.steps = json_or<int>(s, "steps", 0);
        o.cfg = s.value("cfg", 0.0f);
        o.sampler = s.value("sampler", "");
        o.device = s.value("device", "");
        o.numerics = s.value("numerics", "");
        o.settings_source = s.value("settings_source", "");
        o.grid = parse_sweep_grid(s.value("grid", "one-at-a-time")).value_or(SweepGrid::OneAtATime);
        o.prompts = s.value("prompts", std::vector<std::string>{});
        o.seeds = s.value("seeds", std::vector<uint64_t>{});
        o.runs = json_or<int>(s, "runs", 1);
        o.samples = json_or<int>(s, "samples", 0);
        o.sample_seed = s.value("sample_seed", uint64_t{0});
        r.device_name = j.value("device_name", "");
        r.complete = j.value("complete", false);
        for (const auto& c : j.value("configurations", json::array()))
            r.configs.push_back({c.at("name").get<std::string>(), PrecisionConfig::parse(c.at("precision").get<std::string>())});
        for (const auto& row : j.value("rows", json::array())) r.rows.push_back(row_back(row));
        for (const auto& a : j.value("accuracy", json::array())) {
            SweepAccuracy acc;
            acc.config = a.at("config").get<std::string>();
            acc.samples = json_or<int>(a, "samples", 0);
            acc.image_s = a.value("image_s", 0.0);
            const json attrs = a.value("attributes", json::object());  // items() must not outlive it
            for (const auto& [name, c] : attrs.items())
                acc.counts[name] = {json_or<int>(c, "correct", 0), json_or<int>(c, "total", 0)};
            r.accuracy.push_back(acc);
        }
    } catch (const json::exception& e) {
        throw StudioError(std::string("sweep.json is not a readable sweep record: ") + e.what());
    }
    return r;
}

std::string sweep_csv(const SweepResults& r) {
    std::ostringstream o;
    o << "config,precision,prompt_index,seed,reference,runs,encode_s,sample_s,decode_s,image_s,peak_memory_mib,"
         "memory_kind,psnr_db,ssim,max_abs,mean_abs,final_latent_divergence,final_velocity_divergence,findings";
    for (const char* a : kAttributes) o << ",accuracy_" << a;
    o << "\n";
    for (const auto& row : r.rows) {
        const auto* acc = r.find_accuracy(row.config);
        o << csv_field(row.config) << "," << csv_field(row.precision) << "," << row.prompt_index << "," << row.seed << ","
          << (row.reference ? 1 : 0) << "," << row.runs << "," << fmt("%.4f", row.encode_s) << ","
          << fmt("%.4f", row.sample_s) << "," << fmt("%.4f", row.decode_s) << "," << fmt("%.4f", row.image_s) << ","
          << fmt("%.1f", row.peak_memory_bytes / 1048576.0) << "," << csv_field(row.memory_kind) << ","
          << psnr_text(row.psnr) << "," << fmt("%.6f", row.ssim) << "," << fmt("%.6g", row.max_abs) << ","
          << fmt("%.6g", row.mean_abs) << "," << (row.divergence.empty() ? "" : fmt("%.6g", row.divergence.back().latent))
          << "," << (row.divergence.empty() ? "" : fmt("%.6g", row.divergence.back().velocity)) << ","
          << csv_field(join(row.findings, "; "));
        for (const char* a : kAttributes) {
            const double v = acc ? acc->accuracy(a) : -1;
            o << "," << (v >= 0 ? fmt("%.4f", v) : "");
        }
        o << "\n";
    }
    return o.str();
}

std::string sweep_markdown(const SweepResults& r) {
    const auto& s = r.settings;
    std::ostringstream o;
    o << "# Precision sweep\n\n"
      << "Model `" << s.model << "`, " << s.width << "x" << s.height << ", " << s.steps << " steps, CFG " << s.cfg << ", "
      << s.sampler << " (" << s.settings_source << "); " << r.device_name << "; " << s.prompts.size() << " prompt(s) x "
      << s.seeds.size() << " seed(s), median of " << s.runs << " run(s) each. Every configuration starts from the same "
      << "noise as the all-fp32 reference; errors are measured against it.";
    if (!r.complete) o << " **Incomplete: the sweep was stopped; rows so far.**";
    o << "\n\n## Time and memory per precision\n\n"
      << "| precision | time / image | encode | sample | decode | peak memory | PSNR vs fp32 | SSIM | max abs diff "
         "| mean abs diff | latent divergence (last step) | findings |\n"
      << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    std::string memory_kind;
    for (const auto& m : summarize(r)) {
        memory_kind = m.memory_kind;
        const bool ref = m.config == "fp32";
        o << "| " << md_cell(m.config) << (ref ? " (reference)" : "") << " | " << fmt("%.2f s", m.image_s) << " | "
          << fmt("%.2f s", m.encode_s) << " | " << fmt("%.2f s", m.sample_s) << " | " << fmt("%.2f s", m.decode_s) << " | "
          << mib(m.peak_memory_bytes) << " | " << (ref ? "-" : psnr_text(m.psnr) + " dB") << " | "
          << (ref ? "-" : fmt("%.4f", m.ssim)) << " | " << (ref ? "-" : fmt("%.4g", m.max_abs)) << " | "
          << (ref ? "-" : fmt("%.3g", m.mean_abs)) << " | " << (ref ? "-" : fmt("%.3g", m.final_latent_divergence)) << " | "
          << (m.findings.empty() ? "-" : md_cell(join(m.findings, "; "))) << " |\n";
    }
    o << "\nPeak memory: " << (memory_kind.empty() ? "n/a" : memory_kind)
      << ", measured with only the configuration's own models loaded. PSNR and SSIM are means over the seeds, "
         "max abs diff the largest.\n";
    if (!r.accuracy.empty()) {
        o << "\n## Attribute accuracy per precision\n\n"
          << s.samples << " demo scenes per configuration (scene seeds " << s.sample_seed << ".."
          << s.sample_seed + (s.samples > 0 ? s.samples - 1 : 0) << "), read back with the attribute probe.\n\n"
          << "| precision | hair | eyes | expression | background | separation | time / image |\n"
          << "|---|---:|---:|---:|---:|---:|---:|\n";
        for (const auto& c : r.configs) {
            const auto* a = r.find_accuracy(c.name);
            if (!a) continue;
            o << "| " << md_cell(c.name) << " |";
            for (const char* attr : kAttributes) {
                const double v = a->accuracy(attr);
                const auto it = a->counts.find(attr);
                o << " " << (v >= 0 ? fmt("%.1f %%", 100 * v) + " (" + std::to_string(it->second.first) + "/" +
                                          std::to_string(it->second.second) + ")"
                                    : std::string("n/a"))
                  << " |";
            }
            o << " " << fmt("%.2f s", a->image_s) << " |\n";
        }
    }
    return o.str();
}

}  // namespace studio
