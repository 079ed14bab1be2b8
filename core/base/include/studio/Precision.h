#pragma once
// Per-module precision choice. Typed everywhere; the string form
// "text=fp32,clip=bf16,dit=bf16,vae=bf16" exists only at the edges (CLI, env, metadata).
#include <array>
#include <optional>
#include <string>

namespace studio {

// Autocast*: fp32 weights and inputs, libtorch's autocast policy picks each op's dtype (matmuls
// and convolutions in bf16/fp16, reductions and norms in fp32), as torch.autocast does.
enum class Precision { FP32, TF32, BF16, FP16, AutocastBF16, AutocastFP16 };
enum class Module { Text, Clip, Dit, Vae };
// How reduced precisions compute: Auto = emulated on CPU (fp32 arithmetic, every op's output
// rounded to the dtype), native on CUDA; Native / Emulated force one way.
enum class NumericsMode { Auto, Native, Emulated };

constexpr std::array<Module, 4> kAllModules{Module::Text, Module::Clip, Module::Dit, Module::Vae};

// Where a value came from; later sources override earlier ones.
enum class ValueSource { Default, Environment, Settings, CommandLine };

std::string to_string(Precision p);          // "fp32", "tf32", "bf16", "fp16", "autocast-bf16", "autocast-fp16"
constexpr bool is_autocast(Precision p) { return p == Precision::AutocastBF16 || p == Precision::AutocastFP16; }
constexpr std::array<Precision, 6> kAllPrecisions{Precision::FP32, Precision::TF32, Precision::BF16,
                                                  Precision::FP16, Precision::AutocastBF16, Precision::AutocastFP16};
std::string to_string(Module m);            // "text", "clip", "dit", "vae"
std::string display_name(Module m);         // "Text encoder (Gemma)", ...
std::string to_string(ValueSource s);       // "default", "env", "settings", "command line"
std::optional<Precision> parse_precision(const std::string& s);  // also float32/bfloat16/half/...
std::optional<Module> parse_module(const std::string& s);
std::string to_string(NumericsMode m);       // "auto", "native", "emulated"
std::optional<NumericsMode> parse_numerics_mode(const std::string& s);

struct PrecisionConfig {
    std::array<Precision, 4> values{Precision::FP32, Precision::FP32, Precision::FP32, Precision::FP32};
    std::array<ValueSource, 4> sources{ValueSource::Default, ValueSource::Default, ValueSource::Default,
                                       ValueSource::Default};

    Precision get(Module m) const { return values[static_cast<int>(m)]; }
    ValueSource source(Module m) const { return sources[static_cast<int>(m)]; }
    void set(Module m, Precision p, ValueSource s = ValueSource::CommandLine);

    static PrecisionConfig uniform(Precision p, ValueSource s = ValueSource::Default);
    static PrecisionConfig all_fp32() { return uniform(Precision::FP32); }
    static PrecisionConfig all_bf16() { return uniform(Precision::BF16); }
    // Text encoders fp32 (they bind attributes), transformer and VAE bf16.
    static PrecisionConfig mixed();

    // Parses "fp32", "bf16", "mixed", "float32", "text=fp32,dit=bf16", ... Modules missing
    // from a partial spec keep their value from `base`. Throws ConfigError.
    static PrecisionConfig parse(const std::string& spec, ValueSource source, const PrecisionConfig& base);
    static PrecisionConfig parse(const std::string& spec, ValueSource source = ValueSource::CommandLine);
    // Applies NEWBIE_DTYPE when set (e.g. float32, bfloat16 or a full spec).
    static PrecisionConfig from_environment(const PrecisionConfig& base);
    static PrecisionConfig from_environment();

    std::string to_string() const;            // "text=fp32,clip=fp32,dit=bf16,vae=bf16"
    std::string describe_sources() const;     // "text=fp32 (default), dit=bf16 (env), ..."
    bool operator==(const PrecisionConfig& o) const { return values == o.values; }
    bool operator!=(const PrecisionConfig& o) const { return !(*this == o); }
};

}  // namespace studio
