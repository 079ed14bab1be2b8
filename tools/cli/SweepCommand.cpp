// `sweep`: a grid of precision configurations against the all-fp32 reference on the same seeds
// and noise; time, memory, image error, findings, divergence per step and attribute accuracy,
// written after every row into --out-dir (sweep.json / .csv / .md / .png).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "CliSupport.h"
#include "Commands.h"
#include "SweepFiles.h"
#include "studio/DtypeNames.h"
#include "studio/Errors.h"
#include "studio/ModelDefaults.h"
#include "studio/SweepRunner.h"
#include "studio/prompt/PromptTemplates.h"

namespace fs = std::filesystem;

namespace studio::cli {

namespace {
struct SweepOptions {
    GenerationOptions gen;
    std::vector<std::string> prompts, modules{"text", "clip", "dit", "vae"}, dtypes{"fp32", "bf16", "fp16"}, specs;
    std::vector<uint64_t> seeds{1};
    std::string grid = "one-at-a-time", out_dir;
    int runs = 1, samples = 0;
    uint64_t sample_seed = 0;
    double threshold = 1.0 / 255;
    bool resume = false;
};

// A prompt argument is the text itself or a file; a file may hold several prompts separated by
// lines of exactly "---".
std::vector<std::string> expand_prompt(const std::string& arg) {
    if (arg.size() >= 4096 || !fs::is_regular_file(arg)) return {arg};
    std::ifstream in(arg, std::ios::binary);
    std::vector<std::string> out{""};
    std::string line;
    while (std::getline(in, line)) {
        if (line == "---" || line == "---\r") {
            out.emplace_back();
            continue;
        }
        out.back() += line + "\n";
    }
    std::vector<std::string> kept;
    for (auto& p : out)
        if (p.find_first_not_of(" \t\r\n") != std::string::npos) kept.push_back(p);
    if (kept.empty()) throw ConfigError("prompt file '" + arg + "' holds no prompt");
    return kept;
}

std::string duration(double s) {
    char buf[32];
    if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
    else std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    return buf;
}

void print_progress(const SweepProgress& p) {
    const int width = 30;
    const int filled = p.total > 0 ? p.done * width / p.total : width;
    std::ostringstream line;
    line << "\rsweep [" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << p.done << "/" << p.total
         << " images  " << p.config << " " << p.what << "  " << duration(p.elapsed_s);
    if (p.eta_s >= 0) line << "  ETA " << duration(p.eta_s);
    std::cerr << line.str() << "          " << std::flush;
}
}  // namespace

Runner add_sweep_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("sweep", "Run a grid of precision configurations against the fp32 reference (same seeds and "
                                            "noise) and tabulate time, memory, image error and attribute accuracy");
    auto o = std::make_shared<SweepOptions>();
    auto& g = o->gen;
    cmd->add_option("--model", g.model, "Model folder")->required();
    cmd->add_option("--prompt", o->prompts,
                    "Prompt text or file (a file may hold several prompts separated by '---' lines); repeatable. "
                    "Default: the model's example template");
    cmd->add_option("--seeds", o->seeds, "Seeds, comma-separated (default 1)")->delimiter(',');
    cmd->add_option("--grid", o->grid, "one-at-a-time (each module through the dtypes, the rest fp32), all (full product), "
                                       "explicit (--specs)")
        ->check(CLI::IsMember({"one-at-a-time", "all", "explicit"}));
    cmd->add_option("--modules", o->modules, "Modules to vary (default text,clip,dit,vae)")->delimiter(',');
    cmd->add_option("--dtypes", o->dtypes, "Dtypes to try (default fp32,bf16,fp16)")->delimiter(',');
    cmd->add_option("--specs", o->specs, "Explicit precision specs, ';'-separated (implies --grid explicit)")->delimiter(';');
    cmd->add_option("--runs", o->runs, "Timed runs per configuration and seed (median)")->check(CLI::Range(1, 100));
    cmd->add_option("--samples", o->samples, "Demo scenes per configuration for attribute accuracy (demo model only)")
        ->check(CLI::Range(0, 100000));
    cmd->add_option("--sample-seed", o->sample_seed, "First scene seed of the accuracy samples");
    cmd->add_option("--threshold", o->threshold, "Pixel counts as different above this |A-B| (0..1)");
    cmd->add_option("--out-dir", o->out_dir, "Folder for sweep.csv, sweep.json, sweep.md, sweep.png")->required();
    cmd->add_flag("--resume", o->resume, "Continue the sweep in --out-dir, skipping finished rows");
    g.steps_opt = cmd->add_option("--steps", g.steps, "Sampling steps (default: the model's, else 28)")->check(CLI::Range(1, 1000));
    g.cfg_opt = cmd->add_option("--cfg", g.cfg, "CFG scale (default: the model's, else 5)");
    g.width_opt = cmd->add_option("--width", g.width, "Image width (default: the model's, else 1024)");
    g.height_opt = cmd->add_option("--height", g.height, "Image height (default: the model's, else 1024)");
    g.sampler_opt = cmd->add_option("--sampler", g.sampler, "euler or midpoint")->check(CLI::IsMember({"euler", "midpoint"}));
    cmd->add_option("--shift", g.shift, "Time shift of the schedule");
    cmd->add_option("--device", g.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd->add_option("--numerics", g.numerics, "Reduced precision on CPU: auto (emulated), native or emulated")
        ->check(CLI::IsMember({"auto", "native", "emulated"}));
    cmd->add_flag("--no-progress", g.no_progress, "No progress bar");

    return [o]() {
        auto& g = o->gen;
        // Validate every list before anything runs.
        std::vector<Module> modules;
        for (const auto& m : o->modules) {
            const auto mod = parse_module(m);
            if (!mod) throw ConfigError("unknown module '" + m + "' (expected text, clip, dit or vae)");
            modules.push_back(*mod);
        }
        std::vector<Precision> dtypes;
        for (const auto& d : o->dtypes) dtypes.push_back(require_precision(d));
        std::vector<PrecisionConfig> specs;
        for (const auto& s : o->specs) specs.push_back(PrecisionConfig::parse(s, ValueSource::CommandLine));
        const SweepGrid grid = specs.empty() ? *parse_sweep_grid(o->grid) : SweepGrid::Explicit;
        const auto configs = sweep_configurations(grid, modules, dtypes, specs);

        const DeclaredDefaults declared = read_declared_defaults(g.model);
        SweepRequest req;
        req.base.model_dir = g.model;
        req.base.shift = g.shift;
        parse_device(g.device, req.base.device);
        req.base.numerics = parse_numerics_mode(g.numerics).value_or(NumericsMode::Auto);
        const auto origins = apply_defaults(req.base, user_settings(g), declared);
        req.threshold = o->threshold;
        auto& s = req.settings;
        s.model = g.model;
        s.width = req.base.width;
        s.height = req.base.height;
        s.steps = req.base.steps;
        s.cfg = req.base.cfg_scale;
        s.sampler = to_string(req.base.sampler);
        s.device = g.device;
        s.numerics = g.numerics;
        s.settings_source = describe(origins);
        s.grid = grid;
        s.seeds = o->seeds;
        s.runs = o->runs;
        s.samples = o->samples;
        s.sample_seed = o->sample_seed;
        for (const auto& p : o->prompts)
            for (auto& e : expand_prompt(p)) s.prompts.push_back(e);
        if (s.prompts.empty())
            s.prompts.push_back(prompt_template(declared.attribute_probe ? "Demo model: two characters" : "Two characters"));
        if (s.samples > 0 && !declared.attribute_probe) {
            std::cerr << "warning: --samples ignored: this model has no attribute probe (only the demo model has one)\n";
            s.samples = 0;
        }
        req.configs = configs;

        std::error_code ec;
        fs::create_directories(o->out_dir, ec);
        if (ec) throw ExportError("cannot create output folder '" + o->out_dir + "': " + ec.message());
        SweepResults previous = read_sweep_record(o->out_dir);
        if (!previous.rows.empty() || !previous.accuracy.empty()) {
            if (!o->resume)
                throw ConfigError("'" + o->out_dir + "' already holds a sweep; pass --resume to continue it or choose another --out-dir");
            if (!previous.settings.same_experiment(s))
                throw ConfigError("the sweep in '" + o->out_dir + "' used other settings (model, size, steps, prompts or "
                                  "samples); resume it with the same options or choose another --out-dir");
        }

        std::cerr << "settings: " << s.settings_source << "\n";
        if (const auto w = size_warning(s.width, s.height, declared); !w.empty()) std::cerr << "warning: " << w << "\n";
        std::cerr << "sweep: " << configs.size() << " configurations (" << to_string(grid) << ") x " << s.prompts.size()
                  << " prompt(s) x " << s.seeds.size() << " seed(s) x " << s.runs << " run(s)";
        if (s.samples > 0) std::cerr << " + " << s.samples << " accuracy samples each";
        std::cerr << (previous.rows.empty() ? "" : ", resuming after " + std::to_string(previous.rows.size()) + " rows") << "\n";

        SweepCallbacks cb;
        if (!g.no_progress) cb.on_progress = print_progress;
        cb.on_update = [&](const SweepResults& r) { write_sweep_files(o->out_dir, r); };
        Pipeline pipeline;
        auto cancel = install_interrupt_handler();
        const auto t0 = std::chrono::steady_clock::now();
        const SweepResults results = run_sweep(pipeline, req, previous, cb, cancel);
        if (!g.no_progress) std::cerr << "\n";
        std::cout << sweep_markdown(results);
        std::cerr << "wrote sweep.json, sweep.csv, sweep.md, sweep.png in " << o->out_dir << " ("
                  << duration(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) << ")\n";
        return 0;
    };
}

}  // namespace studio::cli
