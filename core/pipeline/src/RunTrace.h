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
#include "ValueScan.h"
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
    // Facts are kept per module: key "dit|attention-backend".
    void note(const std::string& key, const std::string& value) override { m_notes.emplace(note_key(key), value); }
    bool wants_note(const std::string& key) const override { return !m_notes.count(note_key(key)); }
    // Basic level without faults lets the transformer's layer stack run as a CUDA graph that
    // reports its blocks' non-finite counts; deep needs every site, a fault its hook.
    GraphUse graph_use() const override;
    void on_block_checks(const std::string& prefix, const torch::Tensor& counts, int64_t elements) override;

    // TF32 switches (cuBLAS, cuDNN) as they really were while each CUDA module ran.
    struct Tf32Flags {
        bool cublas{false}, cudnn{false};
    };
    const std::map<Module, Tf32Flags>& tf32() const { return m_tf32; }
    const std::map<std::string, std::string>& notes() const { return m_notes; }

    std::vector<LayerStats> table() const;
    const std::optional<NonfiniteSite>& first_nonfinite() const { return m_first_nonfinite; }
    // On a GPU, site statistics stay on the device and are read back here, once per module: a host
    // sync per site would stall the GPU queue. Call before reading table() or first_nonfinite().
    void flush_device_stats();
    bool fault_applied() const { return m_fault_applied; }

private:
    struct Entry {
        LayerStats stats;
        int64_t nonzero{0}, bf16_count{0}, fp16_count{0};
        bool weight_seen{false};
    };
    Entry& entry(const std::string& site, SiteKind kind);
    std::string note_key(const std::string& key) const { return to_string(m_module) + "|" + key; }
    std::string observed_dtype_sampled(const torch::Tensor& t) const;
    torch::Dtype fit_dtype(const torch::Tensor& t) const;
    std::string observed_from_scan(const torch::Tensor& t, const ValueScan& scan) const;
    void fold(Entry& e, const ValueScan& v, int step);
    void record(Entry& e, const torch::Tensor& value, const torch::Tensor& weight, const torch::Tensor& input);
    torch::Tensor apply_fault(const std::string& site, SiteKind kind, const torch::Tensor& value);

    // A site's statistics computed on the device, read back when the module ends: a full record
    // (kScanWidth values), a block check ([NaN, Inf] counts) or a graph's checks of `blocks`
    // blocks named prefix + index (blocks x [NaN, Inf]).
    struct Pending {
        size_t entry{0};
        bool full{false};
        std::string prefix;
        int64_t blocks{0};
        bool emulated{false};  // the output dtype is decided from the values
        int step{-1};
        int64_t elements{0};
        torch::Tensor stats;   // kFloat64 on the device
    };
    std::vector<Pending> m_pending;

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
