#include "RunTrace.h"

#include <cmath>
#include <limits>

#include "RunAudit.h"

namespace studio {

namespace {
constexpr double kFp16Max = 65504.0;

// An evenly strided, contiguous sample of at most 64 Ki values of a flat tensor: enough to tell 7,
// 10 and 23 mantissa bits apart, at a fixed cost per site.
torch::Tensor strided_sample(const torch::Tensor& flat) {
    constexpr int64_t kSample = 65536;
    return (flat.numel() > kSample ? flat.slice(0, 0, flat.numel(), flat.numel() / kSample) : flat).contiguous();
}

// The module's own output is its last block's output: for the transformer (whose guidance
// wrapper returns fp32) that is the final layer.
bool is_output_site(Module m, const std::string& site) { return m == Module::Dit && site == "final_layer"; }
}  // namespace

RunTrace::RunTrace(AuditLevel level, std::optional<FaultSpec> fault) : m_level(level), m_fault(std::move(fault)) {}

void RunTrace::begin_module(Module m, const torch::nn::Module& root, const Numerics& nx) {
    flush_device_stats();
    m_module = m;
    m_nx = nx;
    m_step = m == Module::Dit ? 1 : -1;
    m_paths.clear();
    for (const auto& item : root.named_modules("", false)) m_paths[item.value().get()] = item.key();
}

std::string RunTrace::path_of(const torch::nn::Module& m) const {
    const auto it = m_paths.find(&m);
    return it == m_paths.end() ? std::string() : it->second;
}

RunTrace::Entry& RunTrace::entry(const std::string& site, SiteKind kind) {
    const std::string key = to_string(m_module) + "|" + site + "|" + to_string(kind);
    const auto it = m_index.find(key);
    if (it != m_index.end()) return m_entries[it->second];
    m_index[key] = m_entries.size();
    Entry e;
    e.stats.module = to_string(m_module);
    e.stats.layer = site;
    e.stats.kind = to_string(kind);
    e.stats.max_abs = 0;
    m_entries.push_back(e);
    return m_entries.back();
}

torch::Dtype RunTrace::fit_dtype(const torch::Tensor& t) const {
    return m_nx.emulated && m_nx.reduced() && t.scalar_type() == torch::kFloat32 ? m_nx.storage() : torch::kFloat32;
}

// The dtype as observed: the tensor's own or, when emulating, which dtype its values fit.
std::string RunTrace::observed_from_scan(const torch::Tensor& t, const ValueScan& scan) const {
    if (fit_dtype(t) == torch::kFloat32) return dtype_name(t.scalar_type());
    return scan.all_fit() ? dtype_name(m_nx.storage()) : "fp32";
}

void RunTrace::fold(Entry& e, const ValueScan& v, int step) {
    auto& s = e.stats;
    ++s.calls;
    s.elements += v.elements;
    s.nan += v.nan;
    s.inf += v.inf;
    s.beyond_fp16 += v.beyond_fp16;
    e.nonzero += v.nonzero;
    e.bf16_count += v.bf16_bits;
    e.fp16_count += v.fp16_bits;
    s.max_abs = std::max(s.max_abs, v.max_abs);
    s.fp16_headroom_bits = s.max_abs > 0 ? std::log2(kFp16Max / s.max_abs) : std::numeric_limits<double>::infinity();
    if ((v.nan || v.inf) && s.first_nonfinite_step < 0) s.first_nonfinite_step = std::max(step, 0);
}

void RunTrace::record(Entry& e, const torch::Tensor& value, const torch::Tensor& weight, const torch::Tensor& input) {
    auto& s = e.stats;
    if (weight.defined() && !e.weight_seen) {
        s.weight_dtype = observed_dtype(weight, m_nx);
        e.weight_seen = true;
    }
    if (value.is_cuda()) {
        // On a GPU the statistics stay on the device until the module ends: no sync per site.
        if (input.defined()) s.input_dtype = fit_dtype(input) == torch::kFloat32 ? dtype_name(input.scalar_type())
                                                                                : observed_dtype_sampled(input);
        const bool emulated = fit_dtype(value) != torch::kFloat32;
        s.output_dtype = emulated ? s.output_dtype : dtype_name(value.scalar_type());
        Pending p;
        p.entry = static_cast<size_t>(&e - m_entries.data());
        p.full = true;
        p.emulated = emulated;
        p.step = m_step;
        p.elements = value.numel();
        p.stats = scan_values_device(value, fit_dtype(value));
        m_pending.push_back(std::move(p));
        return;
    }
    // On the CPU one pass over the whole output; the input's dtype from a strided sample.
    const ValueScan v = scan_values_cpu(value, fit_dtype(value));
    fold(e, v, m_step);
    s.output_dtype = observed_from_scan(value, v);
    // The input's dtype: its own, or (emulating) which dtype a strided sample of its values fits.
    if (input.defined())
        s.input_dtype = fit_dtype(input) == torch::kFloat32 ? dtype_name(input.scalar_type())
                                                            : observed_from_scan(input, scan_values_cpu(input, fit_dtype(input), 4096));
}

torch::Tensor RunTrace::apply_fault(const std::string& site, SiteKind kind, const torch::Tensor& value) {
    if (!m_fault || m_fault->module != m_module) return value;
    if (m_fault->kind != FaultKind::Inf && m_fault->kind != FaultKind::Overflow) return value;
    // A named layer matches its own sites; no layer = the module's first block (or its output).
    const bool match = m_fault->layer.empty() ? (kind == SiteKind::Block || kind == SiteKind::Module) : site == m_fault->layer;
    if (!match) return value;
    if (m_fault->layer.empty()) m_fault->layer = site;  // later steps hit the same site
    m_fault_applied = true;
    if (m_fault->kind == FaultKind::Inf) {
        auto v = value.clone();
        v.view({-1})[0] = std::numeric_limits<float>::infinity();
        return v;
    }
    // Overflow: scale so the largest magnitude is 4x fp16's maximum (2 bits past its range).
    const double max_abs = value.detach().abs().max().to(torch::kFloat32).item<double>();
    return m_nx.q(value * (4 * kFp16Max / std::max(max_abs, 1e-6)));
}

// Observed dtype of a site's input, the emulated case judged on a strided sample as the output is.
std::string RunTrace::observed_dtype_sampled(const torch::Tensor& t) const {
    if (t.scalar_type() != torch::kFloat32 || t.numel() == 0) return observed_dtype(t, m_nx);
    return observed_dtype(strided_sample(t.detach().reshape({-1})), m_nx);
}

torch::Tensor RunTrace::on_site(const std::string& site, SiteKind kind, const torch::Tensor& value,
                                const torch::Tensor& weight, const torch::Tensor& input) {
    const torch::Tensor v = apply_fault(site, kind, value);
    if (m_nx.device.is_cuda() && !m_tf32.count(m_module)) {
        const auto& ctx = at::globalContext();
        m_tf32[m_module] = Tf32Flags{ctx.allowTF32CuBLAS(), ctx.allowTF32CuDNN()};
    }
    if (m_level == AuditLevel::Off) return v;
    const bool full = m_level == AuditLevel::Deep || kind == SiteKind::Module || is_output_site(m_module, site);
    Entry* e = nullptr;
    if (full) {
        e = &entry(site, kind);
        record(*e, v, weight, input);
    } else if (kind == SiteKind::Block && !m_first_nonfinite && !v.is_cuda()) {
        // Basic level on the CPU, where a read-back costs nothing: one sum per block (NaN or Inf
        // in, non-finite out), the full record with exact counts only when it is not finite. A
        // sum that overflows on finite values costs that record and finds nothing.
        if (!std::isfinite(v.detach().sum().item<double>())) {
            e = &entry(site, kind);
            record(*e, v, weight, input);
        }
    } else if (kind == SiteKind::Block && !m_first_nonfinite) {
        // Basic level on a GPU: blocks are only counted for non-finite values, kept on the device
        // and read back at the module's end (one sync per module instead of one per block).
        const auto f = v.detach();
        auto& b = entry(site, kind);
        if (b.stats.output_dtype.empty()) b.stats.output_dtype = observed_dtype(v, m_nx);
        Pending p;
        p.entry = static_cast<size_t>(&b - m_entries.data());
        p.step = m_step;
        p.elements = f.numel();
        p.stats = nonfinite_counts(f).to(torch::kFloat64);
        m_pending.push_back(std::move(p));
    }
    if (e && !m_first_nonfinite && (e->stats.nan || e->stats.inf))
        m_first_nonfinite = NonfiniteSite{e->stats.module, site, m_module == Module::Dit ? m_step : -1};
    return v;
}

TraceSink::GraphUse RunTrace::graph_use() const {
    if (m_level == AuditLevel::Off) return GraphUse::Allowed;
    return m_level == AuditLevel::Basic && !m_fault ? GraphUse::WithBlockChecks : GraphUse::Never;
}

void RunTrace::on_block_checks(const std::string& prefix, const torch::Tensor& counts, int64_t elements) {
    if (m_level != AuditLevel::Basic || m_first_nonfinite) return;
    Pending p;
    p.prefix = prefix;
    p.blocks = counts.size(0);
    p.step = m_step;
    p.elements = elements;
    p.stats = counts.to(torch::kFloat64).reshape({-1});  // a copy: the next replay rewrites `counts`
    m_pending.push_back(std::move(p));
}

torch::Tensor RunTrace::module_output(const torch::Tensor& value) {
    flush_device_stats();
    return on_site("output", SiteKind::Module, value, {}, {});
}

void RunTrace::flush_device_stats() {
    if (m_pending.empty()) return;
    std::vector<torch::Tensor> all;
    all.reserve(m_pending.size());
    for (const auto& p : m_pending) all.push_back(p.stats);
    const auto host = torch::cat(all).to(torch::kCPU);  // the one sync
    const double* row = host.data_ptr<double>();
    for (const auto& p : m_pending) {
        if (p.blocks > 0) {
            // A graph replay's block checks: the first block with a NaN or Inf, if any.
            const double* counts = row;
            row += 2 * p.blocks;
            for (int64_t b = 0; b < p.blocks && !m_first_nonfinite; ++b) {
                const int64_t nan = static_cast<int64_t>(counts[2 * b]), inf = static_cast<int64_t>(counts[2 * b + 1]);
                if (!nan && !inf) continue;
                Entry& e = entry(p.prefix + std::to_string(b), SiteKind::Block);
                if (e.stats.output_dtype.empty()) e.stats.output_dtype = dtype_name(m_nx.compute());
                ValueScan v;
                v.elements = p.elements;
                v.nan = nan;
                v.inf = inf;
                fold(e, v, p.step);
                m_first_nonfinite = NonfiniteSite{e.stats.module, e.stats.layer, m_module == Module::Dit ? p.step : -1};
            }
            continue;
        }
        Entry& e = m_entries[p.entry];
        if (p.full) {
            const ValueScan v = unpack_scan(row, p.elements);
            row += kScanWidth;
            fold(e, v, p.step);
            if (p.emulated) e.stats.output_dtype = v.all_fit() ? dtype_name(m_nx.storage()) : "fp32";
        } else {
            // A block check: [NaN, Inf] counts; only a non-finite block enters the table.
            const int64_t nan = static_cast<int64_t>(row[0]), inf = static_cast<int64_t>(row[1]);
            row += 2;
            if ((!nan && !inf) || m_first_nonfinite) continue;
            ValueScan v;
            v.elements = p.elements;
            v.nan = nan;
            v.inf = inf;
            fold(e, v, p.step);
        }
        if (!m_first_nonfinite && (e.stats.nan || e.stats.inf))
            m_first_nonfinite = NonfiniteSite{e.stats.module, e.stats.layer, m_module == Module::Dit ? p.step : -1};
    }
    m_pending.clear();
}

std::vector<LayerStats> RunTrace::table() const {
    std::vector<LayerStats> out;
    for (const auto& e : m_entries) {
        if (e.stats.calls == 0) continue;  // a GPU block check that found nothing
        LayerStats s = e.stats;
        if (e.nonzero > 0) {
            s.bf16_fraction = static_cast<double>(e.bf16_count) / e.nonzero;
            s.fp16_fraction = static_cast<double>(e.fp16_count) / e.nonzero;
        }
        // A signature needs enough values to mean something.
        if (e.nonzero >= 1000)
            s.value_precision = s.bf16_fraction >= 0.999 ? "bf16" : s.fp16_fraction >= 0.999 ? "fp16/tf32" : "fp32";
        out.push_back(s);
    }
    return out;
}

}  // namespace studio
