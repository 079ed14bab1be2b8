#pragma once
// The steps of one run, in order: load -> encode -> sample -> decode -> report. Each step reads
// what the previous ones produced and writes its part of the RunReport through the RunContext.
#include <torch/torch.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "Findings.h"
#include "LoadedModels.h"
#include "RunTrace.h"
#include "RunAudit.h"
#include "studio/Generation.h"
#include "studio/LayerStream.h"

namespace studio {

struct RunContext {
    const GenerationParams& params;
    const JobCallbacks& callbacks;
    const CancelToken& cancel;
    RunReport& report;
    torch::Device device;
    MemoryMonitor memory;
    std::chrono::steady_clock::time_point t_start;

    // The --memory policy applied, decided before anything loads (sequential changes where the
    // weights load), and why.
    MemoryPolicy memory_policy{MemoryPolicy::Keep};
    std::string memory_policy_reason;

    std::optional<FaultSpec> fault;   // --inject
    std::unique_ptr<RunTrace> trace;  // null when the audit is off and nothing is injected
    AuditFacts facts;

    RunContext(const GenerationParams& p, const JobCallbacks& cb, const CancelToken& c, RunReport& r);
    // The module's numerics, as asked (or as the injected fault bends them). Throws ConfigError
    // when the fault cannot apply to what was asked.
    Numerics numerics(Module m) const;
    // Installs the run's trace for module `m` while alive (no-op without a trace).
    struct ModuleScope {
        ModuleScope(RunContext& ctx, Module m, const torch::nn::Module& root, const Numerics& nx);
        TraceScope scope;
    };
    bool fault_is(FaultKind k, Module m) const { return fault && fault->kind == k && fault->module == m; }
    double elapsed() const;
    void progress(const std::string& stage, int step, int steps, double eta) const;
    // Runs fn, records its time under `stage` and samples memory.
    template <typename Fn>
    void timed(const std::string& stage, Fn&& fn) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        report.timings.push_back({stage, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()});
        memory.sample();
    }
};

struct LoadedModels {
    std::shared_ptr<Tokenizer> gemma_tok, jina_tok;
    std::shared_ptr<LoadedGemma> gemma;
    std::shared_ptr<LoadedJina> jina;
    std::shared_ptr<LoadedDit> dit;
    std::shared_ptr<LoadedVae> vae;
    int64_t text_dim{0};  // the text encoder's hidden size (the DiT's caption input)
};

struct Conditioning {
    torch::Tensor cap_feats, cap_mask, pooled;  // fp32 on the run's device; [cond, uncond] with CFG
    bool cfg{false};
};

// The component's tokenizer, cached by its folder.
std::shared_ptr<Tokenizer> cached_tokenizer(ModelCache& cache, const std::string& kind, const ComponentFiles& c);
// The run's memory policy (choose_memory_policy with this device's usable memory).
MemoryPolicy resolve_memory_policy(const GenerationParams& params, const torch::Device& device, std::string& reason);
// Whether the module's blocks stay in host memory and visit the GPU one at a time: the text
// encoder's under offload and sequential, the transformer's under sequential only (GPU runs only:
// the policy falls back to keep on the CPU).
inline bool streams_blocks(const RunContext& ctx, Module mod) {
    if (mod == Module::Text) return ctx.memory_policy == MemoryPolicy::Offload || ctx.memory_policy == MemoryPolicy::Sequential;
    return mod == Module::Dit && ctx.memory_policy == MemoryPolicy::Sequential;
}

// Tokenizers and the two text encoders in their precisions (cached between runs); the weight
// hashes of all four components.
void load_text_step(RunContext& ctx, ModelCache& cache, const ModelFolder& folder, LoadedModels& m);
// Releases the text encoders once the prompt is encoded when the policy says so; records the
// policy and why in the report.
void text_encoder_policy_step(RunContext& ctx, ModelCache& cache, LoadedModels& m);
// Hands the caching allocator's unused blocks back to the driver (CUDA; nothing elsewhere).
void free_cached_device_memory(const torch::Device& device);
// The transformer and the VAE in their precisions (cached between runs).
void load_image_step(RunContext& ctx, ModelCache& cache, const ModelFolder& folder, LoadedModels& m);
// Prompt (and negative with CFG) -> caption features, mask and pooled CLIP vector.
Conditioning encode_step(RunContext& ctx, const LoadedModels& m, const std::string& prompt, const std::string& negative);
// Seeded (or given) noise -> final latent [1, C, h, w] on the device.
torch::Tensor sample_step(RunContext& ctx, const LoadedModels& m, const Conditioning& cond,
                          const std::vector<float>& initial_noise);
// Latent -> image [1, 3, H, W] fp32 in [0, 1] (NaN kept), with the opt-in fp32 fallback.
torch::Tensor decode_step(RunContext& ctx, ModelCache& cache, const LoadedModels& m, const ComponentFiles& vae_files,
                          const torch::Tensor& latent);
// Image into the result; first non-finite stage, image verdict, memory and time into the report.
void report_step(RunContext& ctx, RunResult& result, const torch::Tensor& image);

// Records the dtype a module output really had and flags anything but the requested one.
void observe(ModuleReport& r, const torch::Tensor& t, const Numerics& nx);
void observe_dtype(ModuleReport& r, const std::string& seen, const Numerics& nx);
// [1, 3, H, W] image tensor -> interleaved float image on the CPU.
ImageF to_image(const torch::Tensor& image);

}  // namespace studio
