#include "CliSupport.h"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "studio/Errors.h"
#include "studio/Metrics.h"
#include "studio/RequestCheck.h"
#include "studio/prompt/PromptDocument.h"
#if defined(STUDIO_HAVE_IMAGEIO)
#include "studio/ImageIO.h"
#endif

namespace fs = std::filesystem;

namespace studio::cli {

CLI::Validator seed_validator() {
    // strtoull (CLI11's conversion) saturates 99999999999999999999 to 2^64-1 without a word.
    return CLI::Validator(
        [](std::string& s) -> std::string {
            uint64_t v = 0;
            const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
                return "seed '" + s + "' is not an integer from 0 to 18446744073709551615";
            return {};
        },
        "UINT64");
}

void add_generation_options(CLI::App& cmd, GenerationOptions& o, bool with_precision) {
    cmd.add_option("--model", o.model, "Model folder")->required();
    cmd.add_option("--prompt", o.prompt, "Prompt text, or a file holding it (XML or plain)")->required();
    cmd.add_option("--negative", o.negative, "Negative prompt");
    cmd.add_option("--seed", o.seed, "Seed of the initial noise (0 to 2^64-1)")->check(seed_validator());
    o.steps_opt = cmd.add_option("--steps", o.steps, "Sampling steps (default: the model's, else 28)")->check(CLI::Range(1, 1000));
    o.cfg_opt = cmd.add_option("--cfg", o.cfg, "CFG scale (default: the model's, else 5)");
    cmd.add_option("--cfg-trunc", o.cfg_trunc, "Apply CFG while model time t < this (1 = every step)");
    cmd.add_option("--renorm-cfg", o.renorm, "Official CFG renormalisation (0 = off)");
    cmd.add_option("--shift", o.shift, "Time shift of the schedule");
    o.width_opt = cmd.add_option("--width", o.width, "Image width, multiple of 16 (default: the model's, else 1024)");
    o.height_opt = cmd.add_option("--height", o.height, "Image height, multiple of 16 (default: the model's, else 1024)");
    o.sampler_opt = cmd.add_option("--sampler", o.sampler, "euler or midpoint (default: the model's, else euler)")
                        ->check(CLI::IsMember({"euler", "midpoint"}));
    cmd.add_option("--device", o.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd.add_option("--numerics", o.numerics, "Reduced precision on CPU: auto (emulated), native or emulated")
        ->check(CLI::IsMember({"auto", "native", "emulated"}));
    cmd.add_flag("--vae-fp32-fallback", o.vae_fallback, "Re-decode in fp32 when the VAE output is non-finite or the image failed");
    cmd.add_option("--audit", o.audit, "Numerics trace: off, basic (modules + first non-finite site) or deep (every layer)")
        ->check(CLI::IsMember({"off", "basic", "deep"}));
    cmd.add_option("--memory", o.memory,
                   "Where the weights live: keep (all resident, cached), release (text encoders dropped after "
                   "encoding, reloaded next run), offload (the text encoder's layers stay in host memory and visit "
                   "the GPU one at a time while it encodes; the rest resident), sequential (the transformer's "
                   "layers stream too: the lowest peak, slower) or auto (keep when the run fits the device, else "
                   "offload when that fits, else sequential)")
        ->check(CLI::IsMember({"auto", "keep", "release", "offload", "sequential"}));
    cmd.add_option_function<std::string>(
           "--offload", [&o](const std::string& v) { o.memory = v == "sequential" ? "sequential" : "offload"; },
           "Same as --memory offload (model) or --memory sequential (sequential)")
        ->check(CLI::IsMember({"model", "sequential"}));
    cmd.add_option("--inject", o.inject, "Diagnostic fault, e.g. inf:dit.layers.1 (see selftest-audit)");
    cmd.add_flag("--no-progress", o.no_progress, "No progress bar");
    cmd.add_flag("--allow-invalid-prompt", o.allow_invalid_prompt,
                 "Send an XML prompt that does not parse as it is (UTF-8, NUL and DOCTYPE checks still apply)");
    if (with_precision)
        cmd.add_option("--precision", o.precision, "fp32 | bf16 | mixed | text=..,clip=..,dit=..,vae=.. (NEWBIE_DTYPE when absent)");
}

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// An argument meant as a file name: ends in .xml / .txt or holds a '/', and is not itself markup
// or several lines (XML prompt text contains '/' in every closing tag).
bool looks_like_path(const std::string& arg) {
    if (arg.find('<') != std::string::npos || arg.find('\n') != std::string::npos) return false;
    return ends_with(arg, ".xml") || ends_with(arg, ".txt") || arg.find('/') != std::string::npos;
}

std::string read_prompt_file(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw ConfigError("cannot read the prompt file '" + path + "': " + ec.message());
    if (size > kMaxPromptBytes)
        throw ConfigError("the prompt file '" + path + "' is " + std::to_string(size) + " bytes; the limit is " +
                          std::to_string(kMaxPromptBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read the prompt file '" + path + "': " + std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

std::string read_prompt_argument(const std::string& arg, bool allow_invalid_xml, const std::string& what) {
    std::string text = arg;
    std::string source = what + " text";
    std::error_code ec;
    if (arg.size() < 4096 && !arg.empty() && fs::is_regular_file(arg, ec)) {
        text = read_prompt_file(arg);
        source = arg;
    } else if (arg.size() < 4096 && fs::is_directory(arg, ec)) {
        throw ConfigError(what + " '" + arg + "' is a folder, not a prompt file");
    } else if (looks_like_path(arg)) {
        throw ConfigError(what + " file '" + arg + "' does not exist (" + what +
                          " takes prompt text or the path of an existing .xml/.txt file)");
    }
    // PromptParseError's text starts with "line L, column C: ".
    const auto where = [&](const PromptParseError&) { return source + ": "; };
    try {
        check_prompt_text(text);
    } catch (const PromptParseError& e) {
        throw ConfigError(where(e) + e.what());
    }
    if (looks_like_xml(text)) {
        try {
            parse_prompt(text);
        } catch (const PromptParseError& e) {
            if (!allow_invalid_xml)
                throw ConfigError(where(e) + e.what() + " (--allow-invalid-prompt sends it as it is)");
            std::cerr << "warning: " << where(e) << e.what() << "; sent as it is (--allow-invalid-prompt)\n";
        }
    }
    return text;
}

GenerationParams make_params(const GenerationOptions& o, const std::string& precision_spec) {
    GenerationParams p;
    p.model_dir = o.model;
    p.prompt = read_prompt_argument(o.prompt, o.allow_invalid_prompt, "--prompt");
    p.negative = o.negative.empty() ? std::string() : read_prompt_argument(o.negative, o.allow_invalid_prompt, "--negative");
    p.seed = o.seed;
    p.cfg_trunc = o.cfg_trunc;
    p.renorm_cfg = o.renorm;
    p.shift = o.shift;
    parse_device(o.device, p.device);
    p.numerics = parse_numerics_mode(o.numerics).value_or(NumericsMode::Auto);
    p.vae_fp32_fallback = o.vae_fallback;
    parse_audit_level(o.audit, p.audit);
    parse_memory_policy(o.memory, p.memory);
    p.inject = o.inject;
    p.precision = precision_spec.empty() ? PrecisionConfig::from_environment()
                                         : PrecisionConfig::parse(precision_spec, ValueSource::CommandLine);
    apply_and_print_defaults(p, user_settings(o));
    return p;
}

RunResult run_pipeline(Pipeline& pipeline, const GenerationParams& params, const JobCallbacks& callbacks,
                       const CancelToken& cancel) {
    try {
        return pipeline.run(params, callbacks, cancel);
    } catch (const StudioError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw StudioError("out of host memory; this run needs " + estimate_run_memory(params).describe() +
                          " (try a smaller image or reduced precision)");
    } catch (const std::exception& e) {
        const std::string what = e.what();
        if (what.find("out of memory") == std::string::npos) throw;
        throw StudioError("the " + to_string(params.device) + " device ran out of memory; this run needs " +
                          estimate_run_memory(params).describe() + " (try a smaller image or reduced precision). " +
                          what.substr(0, what.find('\n')));
    }
}

UserSettings user_settings(const GenerationOptions& o) {
    UserSettings u;
    auto given = [](const CLI::Option* opt) { return opt && opt->count() > 0; };
    if (given(o.width_opt)) u.width = o.width;
    if (given(o.height_opt)) u.height = o.height;
    if (given(o.steps_opt)) u.steps = o.steps;
    if (given(o.cfg_opt)) u.cfg = o.cfg;
    if (given(o.sampler_opt)) {
        SamplerKind s{};
        parse_sampler(o.sampler, s);
        u.sampler = s;
    }
    return u;
}

void apply_and_print_defaults(GenerationParams& p, const UserSettings& user) {
    const DeclaredDefaults declared = read_declared_defaults(p.model_dir);
    const std::string line = describe(apply_defaults(p, user, declared));
    // Printed once per command (compare builds params twice from the same options).
    static std::string last;
    if (line != last) std::cerr << "settings: " << line << "\n";
    const std::string warning = size_warning(p.width, p.height, declared);
    if (!warning.empty() && line != last) std::cerr << "warning: " << warning << "\n";
    last = line;
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
// Removes the temporary file unless commit() ran: a failed write (full disk, file size limit)
// leaves neither a partial output nor its temporary behind.
class TempFileGuard {
public:
    explicit TempFileGuard(std::string tmp) : m_tmp(std::move(tmp)) {}
    ~TempFileGuard() {
        if (!m_done) std::remove(m_tmp.c_str());
    }
    void commit(const std::string& path) {
        std::error_code ec;
        fs::rename(m_tmp, path, ec);
        if (ec) throw ExportError("cannot rename '" + m_tmp + "' to '" + path + "': " + ec.message());
        m_done = true;
    }

private:
    std::string m_tmp;
    bool m_done{false};
};

void write_netpbm(const std::string& path, const ImageF& img, bool float_map) {
    const std::string tmp = path + ".tmp";
    TempFileGuard guard(tmp);
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
        out.flush();
        if (!out) throw ExportError("write failed for '" + path + "' (disk full or file size limit?)");
    }
    guard.commit(path);
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
    TempFileGuard guard(tmp);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExportError("cannot write '" + path + "': folder missing or not writable");
        out << text;
        out.flush();
        if (!out) throw ExportError("write failed for '" + path + "' (disk full or file size limit?)");
    }
    guard.commit(path);
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
