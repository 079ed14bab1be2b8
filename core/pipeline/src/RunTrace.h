#pragma once
// The run's trace sink: per-site numerics of each module (aggregated over the transformer's
// steps), the first non-finite site, and the site faults of --inject.
#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "FaultInjection.h"
#include "studio/Generation.h"
#include "studio/Numerics.h"
#include "studio/Trace.h"

namespace studio {

struct NonfiniteSite {
    std::string module, layer;
    int step{-1};
};

class RunTrace : public TraceSink {
public:
    RunTrace(AuditLevel level, std::optional<FaultSpec> fault);

    // Sites that follow belong to `m`, whose submodules are named from `root` (checkpoint paths).
    void begin_module(Module m, const torch::nn::Module& root, const Numerics& nx);
    // No read-back here: the block checks of every step wait for the module's end (one sync).
    void set_step(int step) { m_step = step; }
    // The module's output as the pipeline receives it (always traced unless the level is off).
    torch::Tensor module_output(const torch::Tensor& value);

    torch::Tensor on_site(const std::string& site, SiteKind kind, const torch::Tensor& value,
                          const torch::Tensor& weight, const torch::Tensor& input) override;
    std::string path_of(const torch::nn::Module& m) const override;
    void note(const std::string& key, const std::string& value) override { m_notes.emplace(key, value); }

    // TF32 switches (cuBLAS, cuDNN) as they really were while each CUDA module ran.
    struct Tf32Flags {
        bool cublas{false}, cudnn{false};
    };
    const std::map<Module, Tf32Flags>& tf32() const { return m_tf32; }
    const std::map<std::string, std::string>& notes() const { return m_notes; }

    std::vector<LayerStats> table() const;
    const std::optional<NonfiniteSite>& first_nonfinite() const { return m_first_nonfinite; }
    // Basic level checks blocks on the device and reads the verdicts back once per step (or
    // module): a host sync per block would stall the GPU queue.
    void flush_block_checks();
    bool fault_applied() const { return m_fault_applied; }

private:
    struct Entry {
        LayerStats stats;
        int64_t nonzero{0}, bf16_count{0}, fp16_count{0};
        bool weight_seen{false};
    };
    Entry& entry(const std::string& site, SiteKind kind);
    std::string observed_dtype_sampled(const torch::Tensor& t) const;
    void record(Entry& e, const torch::Tensor& value, const torch::Tensor& weight, const torch::Tensor& input);
    torch::Tensor apply_fault(const std::string& site, SiteKind kind, const torch::Tensor& value);

    struct PendingBlock {
        std::string site;
        std::string dtype;
        int step{-1};
        int64_t elements{0};
        torch::Tensor counts;  // [nan, inf] on the device
    };
    std::vector<PendingBlock> m_pending;

    AuditLevel m_level;
    std::optional<FaultSpec> m_fault;
    bool m_fault_applied{false};
    Module m_module{Module::Text};
    Numerics m_nx;
    int m_step{-1};
    std::unordered_map<const torch::nn::Module*, std::string> m_paths;
    std::map<std::string, size_t> m_index;
    std::vector<Entry> m_entries;
    std::optional<NonfiniteSite> m_first_nonfinite;
    std::map<Module, Tf32Flags> m_tf32;
    std::map<std::string, std::string> m_notes;
};

}  // namespace studio
