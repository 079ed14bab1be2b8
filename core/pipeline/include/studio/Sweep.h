#pragma once
// Precision sweep: one grid of precision configurations, each run on the same seeds and noise as
// an all-fp32 reference, measured for time, memory, image error, findings, divergence over the
// steps and (on the demo model) attribute accuracy. This header holds the plain data and its
// CSV / JSON / Markdown forms; studio/SweepRunner.h runs it. Torch-free.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "studio/Divergence.h"
#include "studio/Precision.h"

namespace studio {

enum class SweepGrid { OneAtATime, All, Explicit };
std::string to_string(SweepGrid g);  // "one-at-a-time", "all", "explicit"
std::optional<SweepGrid> parse_sweep_grid(const std::string& s);

struct SweepConfig {
    std::string name;  // "fp32", "dit=bf16", "bf16", "text=fp16,vae=bf16"
    PrecisionConfig precision;
    bool reference() const { return precision == PrecisionConfig::all_fp32(); }
};

// Short name: one dtype when every module shares it, else the modules that are not fp32.
std::string sweep_config_name(const PrecisionConfig& p);

// The all-fp32 reference first, then the grid (duplicates dropped, order kept):
//   OneAtATime: each module in turn through the dtypes, the other modules fp32;
//   All: the full product over `modules` x `dtypes` (modules not listed stay fp32);
//   Explicit: `specs` as given.
// Throws ConfigError when the grid is empty or a list is missing.
std::vector<SweepConfig> sweep_configurations(SweepGrid grid, const std::vector<Module>& modules,
                                              const std::vector<Precision>& dtypes,
                                              const std::vector<PrecisionConfig>& specs = {});

// One configuration x prompt x seed, timings as medians over the repeated runs.
struct SweepRow {
    std::string config;
    std::string precision;  // full spec
    int prompt_index{0};
    uint64_t seed{0};
    bool reference{false};
    int runs{0};
    double encode_s{0}, sample_s{0}, decode_s{0}, image_s{0};  // image_s = encode + sample + decode
    int64_t peak_memory_bytes{0};
    std::string memory_kind;
    double psnr{0}, ssim{1}, max_abs{0}, mean_abs{0};  // vs the reference of the same prompt and seed
    std::map<std::string, std::string> numerics;        // module -> "bf16 emulated", ...
    std::vector<std::string> findings;                  // non-finite, black image, downgrades, warnings
    std::vector<StepDivergence> divergence;             // vs the reference, per sampler step
};

// Attribute accuracy of one configuration over `samples` demo scenes.
struct SweepAccuracy {
    std::string config;
    int samples{0};
    double image_s{0};                                   // mean total seconds per image
    std::map<std::string, std::pair<int, int>> counts;   // attribute -> (correct, total)
    double accuracy(const std::string& attribute) const;  // [0,1], negative when not measured
};

struct SweepSettings {
    std::string model;
    int width{0}, height{0}, steps{0};
    float cfg{0};
    std::string sampler, device, numerics;
    std::string settings_source;  // "256x256 (model), steps 20 (model), ..."
    SweepGrid grid{SweepGrid::OneAtATime};
    std::vector<std::string> prompts;
    std::vector<uint64_t> seeds;
    int runs{1};
    int samples{0};
    uint64_t sample_seed{0};
    bool same_experiment(const SweepSettings& o) const;  // resumable into each other
};

struct SweepResults {
    SweepSettings settings;
    std::vector<SweepConfig> configs;
    std::vector<SweepRow> rows;
    std::vector<SweepAccuracy> accuracy;
    std::string device_name;
    bool complete{false};

    const SweepRow* find_row(const std::string& config, int prompt_index, uint64_t seed) const;
    const SweepAccuracy* find_accuracy(const std::string& config) const;
};

// Per configuration over its rows: medians of the times, largest memory, mean PSNR / SSIM,
// worst max |d|, mean of mean |d|, union of findings.
struct SweepSummary {
    std::string config;
    int rows{0};
    double encode_s{0}, sample_s{0}, decode_s{0}, image_s{0};
    int64_t peak_memory_bytes{0};
    std::string memory_kind;
    double psnr{0}, min_psnr{0}, ssim{1}, max_abs{0}, mean_abs{0};
    double final_latent_divergence{0};  // at the last step, mean over rows (0 for the reference)
    std::vector<std::string> findings;
};
std::vector<SweepSummary> summarize(const SweepResults& r);

std::string sweep_to_json(const SweepResults& r);
SweepResults sweep_from_json(const std::string& text);  // throws StudioError
std::string sweep_csv(const SweepResults& r);            // one line per row
std::string sweep_markdown(const SweepResults& r);       // time / memory table + accuracy table

}  // namespace studio
