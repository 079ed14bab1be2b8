#pragma once
// Shared pieces of the generate/compare commands: options, terminal progress, Ctrl-C, output.
#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>

#include "studio/Generation.h"

namespace studio::cli {

struct GenerationOptions {
    std::string model, prompt, negative, precision = "fp32", sampler = "euler", device = "cpu", numerics = "auto";
    uint64_t seed = 0;
    int steps = 28, width = 1024, height = 1024;
    float cfg = 5.0f, cfg_trunc = 1.0f, renorm = 0.0f, shift = 6.0f;
    bool no_progress = false, vae_fallback = false;
    std::string audit = "basic", inject;
};

void add_generation_options(CLI::App& cmd, GenerationOptions& o, bool with_precision);
// Builds params; `prompt` may name a file (read as UTF-8) or be the prompt text itself.
GenerationParams make_params(const GenerationOptions& o, const std::string& precision_spec);

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
