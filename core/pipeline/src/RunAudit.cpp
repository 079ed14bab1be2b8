#include "RunAudit.h"

#include <fstream>
#include <limits>

#if defined(STUDIO_HAVE_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#include <unistd.h>

namespace studio {

FiniteCheck check_tensor(const std::string& stage, const torch::Tensor& t_in, double saturation) {
    FiniteCheck c;
    c.stage = stage;
    if (!t_in.defined() || t_in.numel() == 0) return c;
    const auto t = t_in.detach().to(torch::kFloat32);
    c.total = t.numel();
    const auto nan = torch::isnan(t);
    const auto inf = torch::isinf(t);
    c.nan = nan.sum().item<int64_t>();
    c.inf = inf.sum().item<int64_t>();
    if (saturation > 0) c.saturated = (t.abs() >= saturation).logical_and(inf.logical_not()).sum().item<int64_t>();
    const auto finite = torch::isfinite(t);
    const int64_t n_finite = finite.sum().item<int64_t>();
    if (n_finite > 0) {
        const auto vals = t.masked_select(finite);
        c.min = vals.min().item<double>();
        c.max = vals.max().item<double>();
        c.mean_abs = vals.abs().mean().item<double>();
    } else {
        c.min = c.max = c.mean_abs = std::numeric_limits<double>::quiet_NaN();
    }
    return c;
}

std::string observed_dtype(const torch::Tensor& t, const Numerics& nx) {
    if (!nx.emulated || !nx.reduced()) return dtype_name(t.scalar_type());
    if (t.scalar_type() != torch::kFloat32) return dtype_name(t.scalar_type());
    const auto rounded = t.to(nx.storage()).to(torch::kFloat32);
    // NaN != NaN, so compare where finite only.
    const auto finite = torch::isfinite(t);
    const bool exact = rounded.eq(t).logical_or(finite.logical_not()).all().item<bool>();
    return exact ? dtype_name(nx.storage()) : "fp32";
}

std::map<std::string, int64_t> weight_census(torch::nn::Module& module, const Numerics& nx) {
    std::map<std::string, int64_t> h;
    for (const auto& p : module.parameters()) {
        if (nx.emulated && nx.reduced() && p.scalar_type() == torch::kFloat32) {
            const int64_t exact = p.to(nx.storage()).to(torch::kFloat32).eq(p).sum().item<int64_t>();
            if (exact) h[dtype_name(nx.storage())] += exact;
            if (p.numel() - exact) h["fp32"] += p.numel() - exact;
        } else {
            h[dtype_name(p.scalar_type())] += p.numel();
        }
    }
    return h;
}

double dtype_max(const Numerics& nx) {
    switch (nx.storage()) {
        case torch::kFloat16: return 65504.0;
        case torch::kBFloat16: return 3.3895313892515355e38;
        default: return std::numeric_limits<float>::max();
    }
}

int64_t process_rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    int64_t size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * static_cast<int64_t>(::sysconf(_SC_PAGESIZE));
}

MemoryMonitor::MemoryMonitor(bool cuda) : m_cuda(cuda) {
#if defined(STUDIO_HAVE_CUDA)
    if (m_cuda) {
        // The allocator must be initialised before its statistics can be reset.
        (void)torch::empty({1}, torch::TensorOptions().device(torch::kCUDA));
        c10::cuda::CUDACachingAllocator::resetPeakStats(0);
    }
#endif
    sample();
}

void MemoryMonitor::sample() {
#if defined(STUDIO_HAVE_CUDA)
    if (m_cuda) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
        m_peak = std::max<int64_t>(m_peak, stats.allocated_bytes[0].peak);
        return;
    }
#endif
    m_peak = std::max(m_peak, process_rss_bytes());
}

std::string MemoryMonitor::kind() const { return m_cuda ? "CUDA peak allocated" : "process peak RSS"; }

}  // namespace studio
