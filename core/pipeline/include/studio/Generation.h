#pragma once
// The pipeline seen from its front ends: plain parameter and result structs and one
// run() entry point. Torch-free, so the UI and app layers can include it.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "studio/Image.h"
#include "studio/Job.h"
#include "studio/Precision.h"
#include "studio/RunFindings.h"

namespace studio {

enum class SamplerKind { Euler, Midpoint };
enum class DeviceKind { CPU, CUDA };
// Training: the official training system prompt (XML variant for XML prompts) + " <Prompt Start> ".
enum class SystemPromptMode { Training, None, Custom };
// How much the run traces: off; basic (every module's output and block-level non-finite checks,
// the default); deep (every linear, attention, norm, conv and block site, with statistics).
enum class AuditLevel { Off, Basic, Deep };
// Where the modules' weights live (the text encoders are idle once the prompt is encoded, and on a
// GPU take as much memory as the transformer). Keep: all resident, cached for the next run.
// Release: the text encoders are dropped after encoding (lower peak, re-loaded next run).
// Offload: the text encoder's layers stay in pinned host memory and visit the device one at a time
// while it encodes; everything else stays resident (CUDA). Sequential: the transformer's layers
// stream that way too (the lowest peak, slower; CUDA). Auto picks by the device's memory.
enum class MemoryPolicy { Auto, Keep, Release, Offload, Sequential };

std::string to_string(SamplerKind s);
std::string to_string(DeviceKind d);
std::string to_string(SystemPromptMode m);
std::string to_string(AuditLevel a);
bool parse_audit_level(const std::string& s, AuditLevel& out);
std::string to_string(MemoryPolicy m);
bool parse_memory_policy(const std::string& s, MemoryPolicy& out);
bool parse_sampler(const std::string& s, SamplerKind& out);
bool parse_device(const std::string& s, DeviceKind& out);

struct GenerationParams {
    std::string model_dir;
    std::string prompt;
    std::string negative;
    uint64_t seed{0};
    int steps{28};
    float cfg_scale{5.0f};
    float cfg_trunc{1.0f};    // CFG while model time t < cfg_trunc (t = 0 noise); >= 1 = every step
    float renorm_cfg{0.0f};   // official renormalisation; 0 = off
    float shift{6.0f};        // static time shift of the official grid
    int width{1024};
    int height{1024};
    SamplerKind sampler{SamplerKind::Euler};
    PrecisionConfig precision{};
    DeviceKind device{DeviceKind::CPU};
    NumericsMode numerics{NumericsMode::Auto};  // reduced precision on CPU: emulated (auto) or native
    SystemPromptMode system_prompt{SystemPromptMode::Training};
    std::string custom_system_prompt;
    bool vae_fp32_fallback{false};  // re-decode in fp32 when the VAE output is non-finite or the image failed
    AuditLevel audit{AuditLevel::Basic};
    std::string inject;             // diagnostic fault ("inf:dit.layers.1", ...); "" = none
    bool preview{true};             // emit cheap latent previews during sampling
    MemoryPolicy memory{MemoryPolicy::Auto};

    std::string to_string() const;  // one line, for logs
};

// Non-finite / saturation census of one tensor at one stage.
struct FiniteCheck {
    std::string stage;        // "text features", "clip pooled", "latent step 3", "decoded image", ...
    int64_t total{0};
    int64_t nan{0};
    int64_t inf{0};
    int64_t saturated{0};     // |x| at the dtype's max (fp16 65504 / bf16 3.39e38) or clipped image values
    double min{0}, max{0}, mean_abs{0};
    bool finite() const { return nan == 0 && inf == 0; }
};

struct ModuleReport {
    Module module{Module::Text};
    std::string requested;        // "bf16"
    std::string numerics;         // "bf16 emulated", "bf16 native", "fp32", "tf32"
    std::map<std::string, int64_t> weight_dtypes;   // resident weights: dtype -> elements
    std::map<std::string, int64_t> activation_dtypes;  // observed at the module's boundaries: dtype -> count
    bool mismatch{false};         // something ran in another dtype than requested
    std::string note;             // explanation of a mismatch or fallback
    double load_seconds{0};
    bool from_cache{false};
};

struct StageTiming {
    std::string stage;
    double seconds{0};
};

struct RunReport {
    GenerationParams params;
    std::string device_name;                 // "CPU (2 threads)", "NVIDIA H100 ..."
    std::vector<ModuleReport> modules;
    std::vector<FiniteCheck> checks;
    std::vector<StageTiming> timings;
    double total_seconds{0};
    int64_t peak_memory_bytes{0};
    std::string memory_kind;                 // "process peak RSS" or "CUDA peak allocated"
    std::string memory_policy;               // the text encoders' policy applied: keep / release / offload
    std::string memory_policy_reason;        // why (asked, or what auto saw)
    std::string prompt_layout{"as typed"};   // or "compact XML (asked by the model folder)"
    std::string first_nonfinite_stage;       // "" when everything stayed finite
    bool black_image{false};                 // the final image's verdict is image-black (>= 99 % dead pixels)
    std::string image_verdict{"ok"};         // final image: "ok" or an image-* code
    std::vector<DecodeAttempt> decode_attempts;  // the decode asked for, then the fp32 fallback if it ran
    std::vector<Finding> findings;
    std::vector<LayerStats> layers;          // per-site numerics (every site in deep mode)
    std::string audit_level{"basic"};
    bool vae_fallback_used{false};
    std::vector<std::string> warnings;
    std::map<std::string, std::string> weight_hashes;  // component -> short content hash
    std::string app_version;
    bool cancelled{false};

    std::string to_json(int indent = 2) const;
    static RunReport from_json(const std::string& text);  // throws StudioError
};

struct StepTrajectory;  // studio/Divergence.h
// Any warning or error finding: the studio badges the image.
bool has_problems(const RunReport& r);
// The final image is unusable (non-finite values reached it, or it failed its verdict).
bool final_image_bad(const RunReport& r);

struct RunResult {
    ImageF image;  // RGB float [0,1]
    RunReport report;
    std::shared_ptr<const StepTrajectory> trajectory;  // per-step latents, when the front end recorded them
};

// Owns the loaded models (cached per component, precision and device) between runs.
// Not thread-safe: one worker thread owns it.
class Pipeline {
public:
    Pipeline();
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // Throws StudioError subclasses (ModelLoadError, ConfigError, ...), CancelledError on cancel.
    RunResult run(const GenerationParams& params, const JobCallbacks& callbacks, const CancelToken& cancel);
    // Same, starting from the given initial latent noise ([C, H/8, W/8] values, fp32) instead of
    // the seed's: used to replay a reference trajectory exactly.
    RunResult run_with_noise(const GenerationParams& params, const std::vector<float>& initial_noise,
                             const JobCallbacks& callbacks, const CancelToken& cancel);
    // Drops every cached model and frees its memory.
    void release_all();
    // Number of tokens the prompt takes in the text encoder (incl. BOS and system prompt).
    int count_tokens(const std::string& model_dir, const std::string& prompt, SystemPromptMode mode);
    static bool cuda_available();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace studio
