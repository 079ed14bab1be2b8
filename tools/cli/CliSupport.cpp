#include "CliSupport.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "studio/Errors.h"
#include "studio/Metrics.h"
#if defined(STUDIO_HAVE_IMAGEIO)
#include "studio/ImageIO.h"
#endif

namespace fs = std::filesystem;

namespace studio::cli {

void add_generation_options(CLI::App& cmd, GenerationOptions& o, bool with_precision) {
    cmd.add_option("--model", o.model, "Model folder")->required();
    cmd.add_option("--prompt", o.prompt, "Prompt text, or a file holding it (XML or plain)")->required();
    cmd.add_option("--negative", o.negative, "Negative prompt");
    cmd.add_option("--seed", o.seed, "Seed of the initial noise");
    cmd.add_option("--steps", o.steps, "Sampling steps")->check(CLI::Range(1, 1000));
    cmd.add_option("--cfg", o.cfg, "CFG scale");
    cmd.add_option("--cfg-trunc", o.cfg_trunc, "Apply CFG while model time t < this (1 = every step)");
    cmd.add_option("--renorm-cfg", o.renorm, "Official CFG renormalisation (0 = off)");
    cmd.add_option("--shift", o.shift, "Time shift of the schedule");
    cmd.add_option("--width", o.width, "Image width (multiple of 16)");
    cmd.add_option("--height", o.height, "Image height (multiple of 16)");
    cmd.add_option("--sampler", o.sampler, "euler or midpoint")->check(CLI::IsMember({"euler", "midpoint"}));
    cmd.add_option("--device", o.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd.add_option("--numerics", o.numerics, "Reduced precision on CPU: auto (emulated), native or emulated")
        ->check(CLI::IsMember({"auto", "native", "emulated"}));
    cmd.add_flag("--vae-fp32-fallback", o.vae_fallback, "Re-decode in fp32 when the VAE output is non-finite or the image failed");
    cmd.add_option("--audit", o.audit, "Numerics trace: off, basic (modules + first non-finite site) or deep (every layer)")
        ->check(CLI::IsMember({"off", "basic", "deep"}));
    cmd.add_option("--inject", o.inject, "Diagnostic fault, e.g. inf:dit.layers.1 (see selftest-audit)");
    cmd.add_flag("--no-progress", o.no_progress, "No progress bar");
    if (with_precision)
        cmd.add_option("--precision", o.precision, "fp32 | bf16 | mixed | text=..,clip=..,dit=..,vae=.. (NEWBIE_DTYPE when absent)");
}

GenerationParams make_params(const GenerationOptions& o, const std::string& precision_spec) {
    GenerationParams p;
    p.model_dir = o.model;
    p.prompt = o.prompt;
    if (o.prompt.size() < 4096 && fs::is_regular_file(o.prompt)) {
        std::ifstream in(o.prompt, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        p.prompt = ss.str();
    }
    p.negative = o.negative;
    p.seed = o.seed;
    p.steps = o.steps;
    p.cfg_scale = o.cfg;
    p.cfg_trunc = o.cfg_trunc;
    p.renorm_cfg = o.renorm;
    p.shift = o.shift;
    p.width = o.width;
    p.height = o.height;
    parse_sampler(o.sampler, p.sampler);
    parse_device(o.device, p.device);
    p.numerics = parse_numerics_mode(o.numerics).value_or(NumericsMode::Auto);
    p.vae_fp32_fallback = o.vae_fallback;
    parse_audit_level(o.audit, p.audit);
    p.inject = o.inject;
    p.precision = precision_spec.empty() ? PrecisionConfig::from_environment()
                                         : PrecisionConfig::parse(precision_spec, ValueSource::CommandLine);
    return p;
}

namespace {
CancelToken* g_token = nullptr;
void on_sigint(int) {
    if (g_token && !g_token->cancelled()) g_token->cancel();
    else std::_Exit(130);
}
}  // namespace

CancelToken install_interrupt_handler() {
    static CancelToken token;
    g_token = &token;
    std::signal(SIGINT, on_sigint);
    return token;
}

JobCallbacks terminal_progress(const std::string& label, bool enabled) {
    JobCallbacks cb;
    if (!enabled) return cb;
    cb.on_progress = [label](const ProgressInfo& p) {
        const int width = 30;
        const double frac = p.steps > 0 ? static_cast<double>(p.step) / p.steps : 0.0;
        const int filled = static_cast<int>(frac * width);
        std::ostringstream line;
        line << "\r" << label << " [" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << p.stage;
        if (p.stage == "sample") line << " " << p.step << "/" << p.steps;
        char buf[64];
        std::snprintf(buf, sizeof buf, "  %.1f s", p.elapsed_s);
        line << buf;
        if (p.eta_s >= 0) {
            std::snprintf(buf, sizeof buf, "  ETA %.1f s", p.eta_s);
            line << buf;
        }
        line << "      ";
        std::cerr << line.str() << std::flush;
        if (p.stage == "decode") std::cerr << "\n";
    };
    return cb;
}

namespace {
void write_netpbm(const std::string& path, const ImageF& img, bool float_map) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExportError("cannot write '" + path + "': folder missing or not writable");
        if (float_map) {
            out << "PF\n" << img.width << " " << img.height << "\n-1.0\n";
            for (int y = img.height - 1; y >= 0; --y)  // PFM stores rows bottom-up
                out.write(reinterpret_cast<const char*>(&img.pixels[img.index(0, y)]), static_cast<std::streamsize>(img.width * 3 * sizeof(float)));
        } else {
            out << "P6\n" << img.width << " " << img.height << "\n255\n";
            const auto rgb = to_rgb8(img);
            out.write(reinterpret_cast<const char*>(rgb.data()), static_cast<std::streamsize>(rgb.size()));
        }
        if (!out) throw ExportError("write failed for '" + path + "'");
    }
    fs::rename(tmp, path);
}
}  // namespace

void write_output_image(const std::string& path, const ImageF& image, const std::map<std::string, std::string>& text) {
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".ppm") return write_netpbm(path, image, false);
    if (ext == ".pfm") return write_netpbm(path, image, true);
#if defined(STUDIO_HAVE_IMAGEIO)
    write_image(path, image, format_from_path(path), ImageMetadata{text});
#else
    throw ConfigError("this build has no OpenImageIO image export; write .ppm or .pfm instead of '" + path + "'");
#endif
}

void write_text_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExportError("cannot write '" + path + "': folder missing or not writable");
        out << text;
        if (!out) throw ExportError("write failed for '" + path + "'");
    }
    fs::rename(tmp, path);
}

void print_findings(const RunReport& r, bool all) {
    for (const auto& f : r.findings) {
        if (!all && f.severity == Severity::Info) continue;
        std::cerr << "  " << to_string(f.severity) << " " << f.code;
        if (!f.module.empty()) std::cerr << " [" << f.module << (f.layer.empty() ? "" : "." + f.layer) << "]";
        if (f.step > 0) std::cerr << " step " << f.step;
        std::cerr << ": " << f.message << "\n";
    }
}

}  // namespace studio::cli
