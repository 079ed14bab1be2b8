// Sweep grids and per-configuration summaries.
#include "studio/Sweep.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "studio/Errors.h"

namespace studio {

std::string to_string(SweepGrid g) {
    switch (g) {
        case SweepGrid::OneAtATime: return "one-at-a-time";
        case SweepGrid::All: return "all";
        case SweepGrid::Explicit: return "explicit";
    }
    return "?";
}

std::optional<SweepGrid> parse_sweep_grid(const std::string& s) {
    if (s == "one-at-a-time") return SweepGrid::OneAtATime;
    if (s == "all") return SweepGrid::All;
    if (s == "explicit") return SweepGrid::Explicit;
    return std::nullopt;
}

std::string sweep_config_name(const PrecisionConfig& p) {
    const Precision first = p.get(Module::Text);
    if (std::all_of(kAllModules.begin(), kAllModules.end(), [&](Module m) { return p.get(m) == first; }))
        return to_string(first);
    std::string out;
    for (Module m : kAllModules)
        if (p.get(m) != Precision::FP32) out += (out.empty() ? "" : ",") + to_string(m) + "=" + to_string(p.get(m));
    return out;
}

std::vector<SweepConfig> sweep_configurations(SweepGrid grid, const std::vector<Module>& modules,
                                              const std::vector<Precision>& dtypes, const std::vector<PrecisionConfig>& specs) {
    std::vector<PrecisionConfig> list{PrecisionConfig::all_fp32()};
    if (grid == SweepGrid::Explicit) {
        if (specs.empty()) throw ConfigError("an explicit sweep needs at least one precision spec");
        list.insert(list.end(), specs.begin(), specs.end());
    } else {
        if (modules.empty()) throw ConfigError("the sweep needs at least one module (text, clip, dit, vae)");
        if (dtypes.empty()) throw ConfigError("the sweep needs at least one dtype (fp32, tf32, bf16, fp16)");
        if (grid == SweepGrid::OneAtATime) {
            for (Module m : modules)
                for (Precision d : dtypes) {
                    PrecisionConfig c = PrecisionConfig::all_fp32();
                    c.set(m, d);
                    list.push_back(c);
                }
        } else {
            // Odometer over modules x dtypes.
            std::vector<size_t> digit(modules.size(), 0);
            while (true) {
                PrecisionConfig c = PrecisionConfig::all_fp32();
                for (size_t i = 0; i < modules.size(); ++i) c.set(modules[i], dtypes[digit[i]]);
                list.push_back(c);
                size_t i = 0;
                while (i < digit.size() && ++digit[i] == dtypes.size()) digit[i++] = 0;
                if (i == digit.size()) break;
            }
        }
    }
    std::vector<SweepConfig> out;
    for (const auto& c : list) {
        if (std::any_of(out.begin(), out.end(), [&](const SweepConfig& o) { return o.precision == c; })) continue;
        out.push_back({sweep_config_name(c), c});
    }
    return out;
}

double SweepAccuracy::accuracy(const std::string& attribute) const {
    const auto it = counts.find(attribute);
    if (it == counts.end() || it->second.second == 0) return -1;
    return static_cast<double>(it->second.first) / it->second.second;
}

bool SweepSettings::same_experiment(const SweepSettings& o) const {
    return model == o.model && width == o.width && height == o.height && steps == o.steps && cfg == o.cfg &&
           sampler == o.sampler && device == o.device && numerics == o.numerics && prompts == o.prompts &&
           samples == o.samples && sample_seed == o.sample_seed;
}

const SweepRow* SweepResults::find_row(const std::string& config, int prompt_index, uint64_t seed) const {
    for (const auto& r : rows)
        if (r.config == config && r.prompt_index == prompt_index && r.seed == seed) return &r;
    return nullptr;
}

const SweepAccuracy* SweepResults::find_accuracy(const std::string& config) const {
    for (const auto& a : accuracy)
        if (a.config == config) return &a;
    return nullptr;
}

namespace {
double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

std::vector<SweepSummary> summarize(const SweepResults& r) {
    std::vector<SweepSummary> out;
    for (const auto& c : r.configs) {
        std::vector<const SweepRow*> rows;
        for (const auto& row : r.rows)
            if (row.config == c.name) rows.push_back(&row);
        if (rows.empty()) continue;
        SweepSummary s;
        s.config = c.name;
        s.rows = static_cast<int>(rows.size());
        auto med = [&](double SweepRow::*f) {
            std::vector<double> v;
            for (const auto* row : rows) v.push_back(row->*f);
            return median(v);
        };
        s.encode_s = med(&SweepRow::encode_s);
        s.sample_s = med(&SweepRow::sample_s);
        s.decode_s = med(&SweepRow::decode_s);
        s.image_s = med(&SweepRow::image_s);
        s.min_psnr = INFINITY;
        double psnr_sum = 0, ssim_sum = 0, mean_sum = 0, div_sum = 0;
        for (const auto* row : rows) {
            s.peak_memory_bytes = std::max(s.peak_memory_bytes, row->peak_memory_bytes);
            s.memory_kind = row->memory_kind;
            psnr_sum += row->psnr;
            s.min_psnr = std::min(s.min_psnr, row->psnr);
            ssim_sum += row->ssim;
            s.max_abs = std::max(s.max_abs, row->max_abs);
            mean_sum += row->mean_abs;
            div_sum += row->divergence.empty() ? 0.0 : row->divergence.back().latent;
            for (const auto& f : row->findings)
                if (std::find(s.findings.begin(), s.findings.end(), f) == s.findings.end()) s.findings.push_back(f);
        }
        const double n = static_cast<double>(rows.size());
        s.psnr = psnr_sum / n;  // +inf when every row is identical to its reference
        s.ssim = ssim_sum / n;
        s.mean_abs = mean_sum / n;
        s.final_latent_divergence = div_sum / n;
        out.push_back(s);
    }
    return out;
}

}  // namespace studio
