// precision-bench: time and memory per precision configuration, medians of several runs,
// written as a markdown table (the table users otherwise build by hand).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "KinetoProfile.h"
#include "studio/Errors.h"
#include "studio/Generation.h"
#include "studio/Logging.h"
#include "studio/ModelDefaults.h"
#include "studio/RandomModel.h"
#include "studio/RequestCheck.h"

namespace fs = std::filesystem;
using namespace studio;

namespace {
double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct Row {
    std::string precision, audit, numerics, error;
    GenerationParams params;
    std::vector<double> totals, encodes, samples, decodes;  // one per timed run
    double total{0}, encode{0}, sample{0}, decode{0}, load{0};  // medians (load: the warm-up's)
    int64_t peak{0};
    std::string memory_kind, memory_policy;
    bool finite{true};

    void add_run(const RunReport& r) {
        totals.push_back(r.total_seconds);
        for (const auto& t : r.timings) {
            if (t.stage == "encode") encodes.push_back(t.seconds);
            if (t.stage == "sample") samples.push_back(t.seconds);
            if (t.stage == "decode") decodes.push_back(t.seconds);
        }
        peak = std::max(peak, r.peak_memory_bytes);
        memory_kind = r.memory_kind;
        memory_policy = r.memory_policy;
        finite = finite && r.first_nonfinite_stage.empty();
        numerics.clear();
        for (const auto& m : r.modules) numerics += (numerics.empty() ? "" : ", ") + to_string(m.module) + " " + m.numerics;
    }
    void take_medians() { total = median(totals), encode = median(encodes), sample = median(samples), decode = median(decodes); }
};

std::string fmt(double v, int digits = 3) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}
}  // namespace

int main(int argc, char** argv) {
    studio::prepare_process_environment();
    CLI::App app{"Measure time per image and peak memory per precision configuration"};
    std::string model, preset, device = "cpu", sizes = "256x256", out, prompt = "<character_1><n>$character_1$</n><gender>1girl</gender><appearance>silver_hair, long_hair, purple_eyes</appearance><clothing>maid_dress</clothing><expression>smile</expression></character_1><general_tags><background>simple_background</background></general_tags>";
    std::vector<std::string> precisions{"fp32", "bf16", "mixed"};
    int steps = 20, runs = 3;
    float cfg = 5.0f;
    std::string numerics = "auto", memory = "auto";
    std::vector<std::string> audits{"basic"};
    double vram_budget_gib = 0;
    std::string profile;
    app.add_option("--model", model, "Model folder (or --preset)");
    app.add_option("--preset", preset, "Write and use a random model: tiny or full")->check(CLI::IsMember({"tiny", "full"}));
    app.add_option("--device", device, "cpu or cuda");
    app.add_option("--precisions", precisions, "Precision specs to measure")->delimiter(';');
    auto* steps_opt = app.add_option("--steps", steps, "Sampling steps (default: the model's, else 20)");
    auto* cfg_opt = app.add_option("--cfg", cfg, "CFG scale (default: the model's, else 5)");
    auto* size_opt = app.add_option("--size", sizes, "WxH (default: the model's, else 256x256)");
    app.add_option("--runs", runs, "Timed runs per configuration (after one warm-up)");
    app.add_option("--numerics", numerics, "auto, native or emulated")->check(CLI::IsMember({"auto", "native", "emulated"}));
    app.add_option("--audit", audits,
                   "Numerics trace: off, basic or deep (its overhead is part of the time); several, e.g. \"off;basic\", "
                   "alternate run by run on one loaded model")
        ->delimiter(';')
        ->check(CLI::IsMember({"off", "basic", "deep"}));
    app.add_option("--memory", memory, "Memory policy: auto, keep, release, offload or sequential (as precision-cli generate --memory)")
        ->check(CLI::IsMember({"auto", "keep", "release", "offload", "sequential"}));
    app.add_option("--vram-budget", vram_budget_gib, "Cap the CUDA allocator at this many GiB (simulates a smaller card)");
    app.add_option("--prompt", prompt, "Prompt");
    app.add_option("--profile", profile,
                   "After the timed runs, one more run per audit level traced with Kineto into PROFILE.<precision>.<audit>.json "
                   "(libtorch 2.x with CUDA; keep --steps small)");
    app.add_option("--out", out, "Append the markdown table to this file");
    CLI11_PARSE(app, argc, argv);
    init_logging({}, true);
    set_log_level(LogLevel::Warn);
    try {
        if (model.empty()) {
            if (preset.empty()) throw ConfigError("give --model DIR or --preset tiny|full");
            model = (fs::temp_directory_path() / ("studio-bench-" + preset)).string();
            if (!fs::exists(fs::path(model) / "model_index.json"))
                write_random_model(model, RandomModelOptions{preset == "full" ? RandomPreset::Full : RandomPreset::Tiny, 0, false});
        }
        const auto x = sizes.find('x');
        GenerationParams base;
        base.model_dir = model;
        base.prompt = prompt;
        base.seed = 1;
        base.steps = steps;
        base.cfg_scale = cfg;
        base.width = std::stoi(sizes.substr(0, x));
        base.height = std::stoi(sizes.substr(x + 1));
        base.preview = false;
        UserSettings user;
        if (steps_opt->count()) user.steps = steps;
        if (cfg_opt->count()) user.cfg = cfg;
        if (size_opt->count()) user.width = base.width, user.height = base.height;
        const DeclaredDefaults declared = read_declared_defaults(model);
        std::cerr << "settings: " << describe(apply_defaults(base, user, declared)) << "\n";
        if (const auto w = size_warning(base.width, base.height, declared); !w.empty()) std::cerr << "warning: " << w << "\n";
        steps = base.steps;
        cfg = base.cfg_scale;
        parse_device(device, base.device);
        base.numerics = parse_numerics_mode(numerics).value_or(NumericsMode::Auto);
        parse_memory_policy(memory, base.memory);
        if (!profile.empty() && !profile_available()) throw ConfigError("--profile: this build has no Kineto trace (libtorch 2.x with CUDA)");
        if (vram_budget_gib > 0 && !limit_device_memory(static_cast<int64_t>(vram_budget_gib * 1024 * 1024 * 1024)))
            throw ConfigError("--vram-budget needs a CUDA device");

        std::vector<Row> rows;
        for (const auto& spec : precisions) {
            // A fresh pipeline per precision: peak memory then belongs to this configuration alone.
            // Audit levels share it and alternate run by run, so their ratio sees the same machine state.
            Pipeline pipeline;
            std::vector<Row> group(audits.size());
            for (size_t a = 0; a < audits.size(); ++a) {
                group[a].precision = spec;
                group[a].audit = audits[a];
                group[a].params = base;
                group[a].params.precision = PrecisionConfig::parse(spec);
                parse_audit_level(audits[a], group[a].params.audit);
            }
            try {
                for (auto& row : group) {
                    const auto warm = pipeline.run(row.params, {}, CancelToken{});
                    for (const auto& t : warm.report.timings)
                        if (t.stage == "load") row.load += t.seconds;  // text encoders, then transformer + VAE
                }
                for (int i = 0; i < runs; ++i)
                    for (auto& row : group) row.add_run(pipeline.run(row.params, {}, CancelToken{}).report);
                for (const auto& row : group) {
                    if (profile.empty()) break;
                    profile_start();
                    pipeline.run(row.params, {}, CancelToken{});
                    profile_stop(profile + "." + spec + "." + row.audit + ".json");
                }
            } catch (const std::exception& e) {
                for (auto& row : group) row.error = e.what();
            }
            for (auto& row : group) {
                row.take_medians();
                std::cerr << spec << " (audit " << row.audit << "): "
                          << (row.error.empty() ? fmt(row.total) + " s" : "error: " + row.error) << "\n";
                rows.push_back(row);
            }
        }
        std::ostringstream md;
        md << "| precision | audit | numerics | time / image (s) | encode | sample | decode | vs " << rows.front().precision
           << " (audit " << rows.front().audit << ") | peak memory | ran without error |\n|---|---|---|---|---|---|---|---|---|---|\n";
        for (const auto& r : rows)
            md << "| " << r.precision << " | " << r.audit << " | " << r.numerics << " | " << fmt(r.total) << " | " << fmt(r.encode) << " | "
               << fmt(r.sample) << " | " << fmt(r.decode) << " | "
               << (rows.front().total > 0 && r.error.empty() ? fmt(r.total / rows.front().total, 2) + "×" : "–") << " | "
               << fmt(r.peak / 1048576.0, 0) << " MiB (" << r.memory_kind << ", memory " << r.memory_policy << ") | "
               << (r.error.empty() ? (r.finite ? "yes" : "non-finite values") : "no: " + r.error) << " |\n";
        std::ostringstream head;
        head << "Model `" << model << "`, device " << device << " (" << std::thread::hardware_concurrency() << " CPU threads), "
             << base.width << "×" << base.height << ", " << steps << " steps, CFG " << cfg << ", medians of " << runs
             << " runs after one warm-up"
             << (audits.size() > 1 ? " (audit levels alternating run by run)" : "") << ".\n\n";
        std::cout << head.str() << md.str();
        if (!out.empty()) std::ofstream(out, std::ios::app) << head.str() << md.str() << "\n";
        for (const auto& r : rows)
            if (!r.error.empty()) return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
