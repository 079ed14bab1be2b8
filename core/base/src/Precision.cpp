#include "studio/Precision.h"

#include "studio/DtypeNames.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "studio/Errors.h"

namespace studio {

namespace {
std::string lower_trim(std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}
}  // namespace

std::string to_string(Precision p) {
    switch (p) {
        case Precision::FP32: return "fp32";
        case Precision::TF32: return "tf32";
        case Precision::BF16: return "bf16";
        case Precision::FP16: return "fp16";
        case Precision::AutocastBF16: return "autocast-bf16";
        case Precision::AutocastFP16: return "autocast-fp16";
    }
    return "?";
}

std::string to_string(Module m) {
    switch (m) {
        case Module::Text: return "text";
        case Module::Clip: return "clip";
        case Module::Dit: return "dit";
        case Module::Vae: return "vae";
    }
    return "?";
}

std::string display_name(Module m) {
    switch (m) {
        case Module::Text: return "Text encoder (Gemma)";
        case Module::Clip: return "CLIP (Jina)";
        case Module::Dit: return "Transformer (DiT)";
        case Module::Vae: return "VAE";
    }
    return "?";
}

std::string to_string(ValueSource s) {
    switch (s) {
        case ValueSource::Default: return "default";
        case ValueSource::Environment: return "env NEWBIE_DTYPE";
        case ValueSource::Settings: return "settings";
        case ValueSource::CommandLine: return "command line";
    }
    return "?";
}

std::optional<Precision> parse_precision(const std::string& raw) {
    const std::string s = lower_trim(raw);
    if (s == "fp32" || s == "float32" || s == "float" || s == "f32" || s == "torch.float32") return Precision::FP32;
    if (s == "tf32" || s == "tensorfloat32") return Precision::TF32;
    if (s == "bf16" || s == "bfloat16" || s == "torch.bfloat16") return Precision::BF16;
    if (s == "fp16" || s == "float16" || s == "half" || s == "f16" || s == "torch.float16") return Precision::FP16;
    if (s == "autocast-bf16" || s == "autocast_bf16" || s == "amp-bf16") return Precision::AutocastBF16;
    if (s == "autocast-fp16" || s == "autocast_fp16" || s == "amp-fp16") return Precision::AutocastFP16;
    return std::nullopt;
}

std::string precision_names() {
    std::string out;
    for (Precision p : kAllPrecisions)
        out += (out.empty() ? "" : ", ") + studio::to_string(p);
    return out;
}

Precision require_precision(const std::string& raw) {
    if (auto p = parse_precision(raw)) return *p;
    throw ConfigError("unknown dtype '" + lower_trim(raw) + "' (expected " + precision_names() + ")");
}

std::string to_string(NumericsMode m) {
    switch (m) {
        case NumericsMode::Native: return "native";
        case NumericsMode::Emulated: return "emulated";
        default: return "auto";
    }
}

std::optional<NumericsMode> parse_numerics_mode(const std::string& s) {
    if (s == "auto") return NumericsMode::Auto;
    if (s == "native") return NumericsMode::Native;
    if (s == "emulated") return NumericsMode::Emulated;
    return std::nullopt;
}

std::optional<Module> parse_module(const std::string& raw) {
    const std::string s = lower_trim(raw);
    if (s == "text" || s == "gemma" || s == "text_encoder") return Module::Text;
    if (s == "clip" || s == "jina" || s == "clip_model" || s == "text_encoder_2") return Module::Clip;
    if (s == "dit" || s == "transformer" || s == "unet") return Module::Dit;
    if (s == "vae") return Module::Vae;
    return std::nullopt;
}

void PrecisionConfig::set(Module m, Precision p, ValueSource s) {
    values[static_cast<int>(m)] = p;
    sources[static_cast<int>(m)] = s;
}

PrecisionConfig PrecisionConfig::uniform(Precision p, ValueSource s) {
    PrecisionConfig c;
    for (Module m : kAllModules) c.set(m, p, s);
    return c;
}

PrecisionConfig PrecisionConfig::mixed() {
    PrecisionConfig c;
    c.set(Module::Text, Precision::FP32, ValueSource::Default);
    c.set(Module::Clip, Precision::FP32, ValueSource::Default);
    c.set(Module::Dit, Precision::BF16, ValueSource::Default);
    c.set(Module::Vae, Precision::BF16, ValueSource::Default);
    return c;
}

PrecisionConfig PrecisionConfig::parse(const std::string& spec, ValueSource source, const PrecisionConfig& base) {
    const std::string s = lower_trim(spec);
    if (s.empty()) throw ConfigError("empty precision specification");
    if (s == "mixed") {
        PrecisionConfig c = mixed();
        for (Module m : kAllModules) c.sources[static_cast<int>(m)] = source;
        return c;
    }
    if (auto p = parse_precision(s)) return uniform(*p, source);

    PrecisionConfig c = base;
    std::stringstream ss(s);
    std::string item;
    // A single word that is neither a dtype nor "mixed": name it as an unknown dtype.
    if (s.find_first_of("=,") == std::string::npos)
        throw ConfigError("unknown dtype '" + s + "' (expected " + precision_names() +
                          ", mixed, or module=dtype pairs such as dit=bf16,vae=fp32)");
    while (std::getline(ss, item, ',')) {
        if (lower_trim(item).empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            throw ConfigError("precision entry '" + item + "' is not of the form module=dtype (in '" + spec + "')");
        const auto module = parse_module(item.substr(0, eq));
        if (!module)
            throw ConfigError("unknown module '" + lower_trim(item.substr(0, eq)) +
                              "' in precision spec (expected text, clip, dit or vae)");
        const auto precision = parse_precision(item.substr(eq + 1));
        if (!precision)
            throw ConfigError("unknown dtype '" + lower_trim(item.substr(eq + 1)) + "' for module " +
                              studio::to_string(*module) + " (expected " + precision_names() + ")");
        c.set(*module, *precision, source);
    }
    return c;
}

PrecisionConfig PrecisionConfig::parse(const std::string& spec, ValueSource source) {
    return parse(spec, source, PrecisionConfig{});
}

PrecisionConfig PrecisionConfig::from_environment() { return from_environment(PrecisionConfig{}); }

PrecisionConfig PrecisionConfig::from_environment(const PrecisionConfig& base) {
    const char* env = std::getenv("NEWBIE_DTYPE");
    if (!env || !*env) return base;
    return parse(env, ValueSource::Environment, base);
}

std::string PrecisionConfig::to_string() const {
    std::string out;
    for (Module m : kAllModules) {
        if (!out.empty()) out += ",";
        out += studio::to_string(m) + "=" + studio::to_string(get(m));
    }
    return out;
}

std::string PrecisionConfig::describe_sources() const {
    std::string out;
    for (Module m : kAllModules) {
        if (!out.empty()) out += ", ";
        out += studio::to_string(m) + "=" + studio::to_string(get(m)) + " (" + studio::to_string(source(m)) + ")";
    }
    return out;
}

}  // namespace studio
