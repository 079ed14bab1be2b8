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
    flush_block_checks();
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

void RunTrace::record(Entry& e, const torch::Tensor& value, const torch::Tensor& weight, const torch::Tensor& input) {
    auto& s = e.stats;
    const auto f = value.detach().to(torch::kFloat32).reshape({-1});
    if (f.numel() == 0) {
        ++s.calls;
        return;
    }
    // Two passes over the whole output: a sum (NaN or Inf in, non-finite out) and min / max. The
    // exact NaN / Inf / beyond-fp16 counts need more passes and run only when these show a problem.
    const auto [lo, hi] = torch::aminmax(f);
    const auto head = torch::stack({f.sum(), lo, hi}).to(torch::kCPU);
    const auto h = head.accessor<float, 1>();
    const bool finite = std::isfinite(h[0]) && std::isfinite(h[1]) && std::isfinite(h[2]);
    double max_abs = std::max(std::fabs(h[1]), std::fabs(h[2]));
    int64_t nan = 0, inf = 0, beyond = 0;
    if (!finite || max_abs > kFp16Max) {
        const auto fin = torch::isfinite(f);
        const auto a = f.abs();
        const auto counts = torch::stack({torch::isnan(f).sum(), torch::isinf(f).sum(), a.gt(kFp16Max).logical_and(fin).sum()})
                                .to(torch::kCPU);
        const auto c = counts.accessor<int64_t, 1>();
        nan = c[0], inf = c[1], beyond = c[2];
        max_abs = torch::where(fin, a, torch::zeros_like(a)).max().item<double>();
    }
    // The value signature from a strided sample.
    const auto sample = strided_sample(f);
    // Mantissa bits in use: a value fits bf16's 7 bits when its low 16 fp32 bits are zero,
    // fp16's / tf32's 10 bits when its low 13 are (zeros excluded: they fit anything).
    const auto bits = sample.view(torch::kInt32);
    const auto counted = torch::isfinite(sample).logical_and(sample.ne(0));
    const auto sig = torch::stack({counted.sum(), bits.bitwise_and(0xFFFF).eq(0).logical_and(counted).sum(),
                                   bits.bitwise_and(0x1FFF).eq(0).logical_and(counted).sum()})
                         .to(torch::kCPU);
    const auto g = sig.accessor<int64_t, 1>();
    s.nan += nan;
    s.inf += inf;
    s.beyond_fp16 += beyond;
    e.nonzero += g[0];
    e.bf16_count += g[1];
    e.fp16_count += g[2];
    s.elements += f.numel();
    ++s.calls;
    s.max_abs = std::max(s.max_abs, max_abs);
    s.fp16_headroom_bits = s.max_abs > 0 ? std::log2(kFp16Max / s.max_abs) : std::numeric_limits<double>::infinity();
    // The dtype as observed: the tensor's own, or (emulation) which dtype its values fit; the
    // sample decides that too.
    s.output_dtype = value.scalar_type() == torch::kFloat32 ? observed_dtype(sample, m_nx) : observed_dtype(value, m_nx);
    if ((nan || inf) && s.first_nonfinite_step < 0) s.first_nonfinite_step = std::max(m_step, 0);
    if (input.defined()) s.input_dtype = observed_dtype_sampled(input);
    if (weight.defined() && !e.weight_seen) {
        s.weight_dtype = observed_dtype(weight, m_nx);
        e.weight_seen = true;
    }
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
        m_pending.push_back(PendingBlock{site, observed_dtype(v, m_nx), m_step, f.numel(),
                                         torch::stack({torch::isnan(f).sum(), torch::isinf(f).sum()})});
    }
    if (e && !m_first_nonfinite && (e->stats.nan || e->stats.inf))
        m_first_nonfinite = NonfiniteSite{e->stats.module, site, m_module == Module::Dit ? m_step : -1};
    return v;
}

torch::Tensor RunTrace::module_output(const torch::Tensor& value) {
    flush_block_checks();
    return on_site("output", SiteKind::Module, value, {}, {});
}

void RunTrace::flush_block_checks() {
    if (m_pending.empty()) return;
    std::vector<torch::Tensor> all;
    all.reserve(m_pending.size());
    for (const auto& p : m_pending) all.push_back(p.counts);
    const auto counts = torch::stack(all).to(torch::kCPU);  // the one sync
    const auto c = counts.accessor<int64_t, 2>();
    for (size_t i = 0; i < m_pending.size() && !m_first_nonfinite; ++i) {
        if (!c[i][0] && !c[i][1]) continue;
        const auto& p = m_pending[i];
        auto& s = entry(p.site, SiteKind::Block).stats;
        s.nan += c[i][0];
        s.inf += c[i][1];
        s.elements += p.elements;
        ++s.calls;
        s.output_dtype = p.dtype;
        if (s.first_nonfinite_step < 0) s.first_nonfinite_step = std::max(p.step, 0);
        m_first_nonfinite = NonfiniteSite{s.module, p.site, m_module == Module::Dit ? p.step : -1};
    }
    m_pending.clear();
}

std::vector<LayerStats> RunTrace::table() const {
    std::vector<LayerStats> out;
    for (const auto& e : m_entries) {
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
