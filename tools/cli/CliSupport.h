#pragma once
// Shared pieces of the generate/compare commands: options, terminal progress, Ctrl-C, output.
#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>

#include "studio/Generation.h"
#include "studio/ModelDefaults.h"

namespace studio::cli {

struct GenerationOptions {
    std::string model, prompt, negative, precision = "fp32", sampler = "euler", device = "cpu", numerics = "auto";
    uint64_t seed = 0;
    int steps = 28, width = 1024, height = 1024;
    float cfg = 5.0f, cfg_trunc = 1.0f, renorm = 0.0f, shift = 6.0f;
    bool no_progress = false, vae_fallback = false, allow_invalid_prompt = false;
    // Set by add_generation_options: whether the user gave size / steps / cfg / sampler.
    CLI::Option *width_opt = nullptr, *height_opt = nullptr, *steps_opt = nullptr, *cfg_opt = nullptr, *sampler_opt = nullptr;
    std::string audit = "basic", inject, memory = "auto";
};

// Accepts decimal integers that fit 64 bits (for --seed options).
CLI::Validator seed_validator();
void add_generation_options(CLI::App& cmd, GenerationOptions& o, bool with_precision);
// Builds params; `prompt` may name a file (read as UTF-8) or be the prompt text itself.
// Throws ConfigError (exit 2) for a prompt that names a missing file, is not UTF-8, holds NUL
// bytes or declarations, or is XML that does not parse (unless allow_invalid_prompt). Size,
// steps, CFG and sampler come from the user, else the model folder's declared defaults, else the
// built-in ones; the first call per command prints the values used and their source (and warns
// when the size is far from the model's).
GenerationParams make_params(const GenerationOptions& o, const std::string& precision_spec);
// The user's explicit size / steps / cfg / sampler choices.
UserSettings user_settings(const GenerationOptions& o);
// Applies user > model > built-in to `p` and prints "settings: 256x256 (model), ..." to stderr.
void apply_and_print_defaults(GenerationParams& p, const UserSettings& user);

// The text of a --prompt / --negative argument after the checks above; `what` names the option.
std::string read_prompt_argument(const std::string& arg, bool allow_invalid_xml, const std::string& what);

// Pipeline::run, with an out-of-memory failure (CUDA or host) turned into a StudioError that
// says how much memory the run needs (the up-front estimate) and how to need less.
RunResult run_pipeline(Pipeline& pipeline, const GenerationParams& params, const JobCallbacks& callbacks,
                       const CancelToken& cancel);

// Ctrl-C cancels the current run cleanly (second Ctrl-C kills).
CancelToken install_interrupt_handler();
// Progress bar on stderr: "[#####.....] sample 12/28  3.2 s  ETA 4.1 s".
JobCallbacks terminal_progress(const std::string& label, bool enabled);

// Writes a result image (PNG/TIFF/EXR/JPEG with provenance when built with OpenImageIO; .ppm/.pfm always).
void write_output_image(const std::string& path, const ImageF& image, const std::map<std::string, std::string>& text);
void write_text_file(const std::string& path, const std::string& text);
// The run's findings on stderr (warnings and errors; info too when `all`).
void print_findings(const RunReport& r, bool all);

}  // namespace studio::cli
