#pragma once
// What a run's audit concluded: findings with stable codes, the per-layer numerics table and
// the decode attempts. Torch-free (the UI reads these from report.json).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace studio {

enum class Severity { Info, Warning, Error };
std::string to_string(Severity s);  // "info", "warning", "error"
std::optional<Severity> parse_severity(const std::string& s);

// Stable finding codes (docs/report-format.md lists what each means).
namespace code {
inline constexpr const char* kDtypeMismatch = "dtype-mismatch";
inline constexpr const char* kPrecisionSignature = "precision-signature";
inline constexpr const char* kWeightsNotCast = "weights-not-cast";
inline constexpr const char* kAutocastKeptFp32 = "autocast-kept-fp32";
inline constexpr const char* kFp16OverflowRisk = "fp16-overflow-risk";
inline constexpr const char* kNonfinite = "nonfinite";
inline constexpr const char* kImageBlack = "image-black";
inline constexpr const char* kImageWhite = "image-white";
inline constexpr const char* kImageFlat = "image-flat";
inline constexpr const char* kImageNoise = "image-noise";
inline constexpr const char* kImagePartlyBlack = "image-partly-black";
inline constexpr const char* kVaeFallbackUsed = "vae-fallback-used";
inline constexpr const char* kNoNativeBf16 = "no-native-bf16";
inline constexpr const char* kTf32State = "tf32-state";
inline constexpr const char* kAttentionBackend = "attention-backend";
inline constexpr const char* kFaultInjected = "fault-injected";
}  // namespace code

struct Finding {
    Severity severity{Severity::Info};
    std::string code;     // one of code::k*
    std::string module;   // "text", "clip", "dit", "vae", or "" for the run / image
    std::string layer;    // checkpoint-style path inside the module ("layers.3.attention.qkv"), or ""
    int step{-1};         // sampler step (1-based) for the transformer, -1 otherwise
    std::string message;
};

// Observed numerics of one site (a linear, attention, norm, conv or block output), aggregated
// over every call of the run (the transformer's steps).
struct LayerStats {
    std::string module;          // "dit"
    std::string layer;           // "layers.1.attention.qkv"
    std::string kind;            // "module", "block", "linear", "attention", "norm", "conv"
    std::string weight_dtype;    // storage of the site's weight as observed ("" when it has none)
    std::string input_dtype;     // tensor dtype entering the site ("" when not traced)
    std::string output_dtype;    // tensor dtype leaving it
    std::string value_precision; // signature of the values: "bf16", "fp16/tf32", "fp32", "" (too few values)
    double bf16_fraction{0};     // nonzero finite values whose mantissa fits 7 bits
    double fp16_fraction{0};     // ... fits 10 bits
    int64_t elements{0};         // values seen (all calls)
    double max_abs{0};
    double fp16_headroom_bits{0};  // log2(65504 / max|x|); negative = past fp16 range
    int64_t nan{0}, inf{0}, beyond_fp16{0};
    int calls{0};
    int first_nonfinite_step{-1};  // first sampler step (dit) or 0 (other modules) with NaN/Inf; -1 = none
};

// One VAE decode: the one asked for, then the fp32 fallback when it ran.
struct DecodeAttempt {
    std::string numerics;  // "bf16 emulated", "fp32"
    bool finite{true};
    std::string verdict;   // "ok" or an image-* code
    std::string detail;    // the verdict's numbers, one line
};

}  // namespace studio
