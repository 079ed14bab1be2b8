#include "studio/Trace.h"

namespace studio {

namespace trace_detail {
thread_local TraceSink* t_sink = nullptr;
}

const char* to_string(SiteKind k) {
    switch (k) {
        case SiteKind::Module: return "module";
        case SiteKind::Block: return "block";
        case SiteKind::Linear: return "linear";
        case SiteKind::Attention: return "attention";
        case SiteKind::Norm: return "norm";
        case SiteKind::Conv: return "conv";
    }
    return "?";
}

torch::Tensor count_true(const torch::Tensor& mask) {
    // The mask's bytes as rows of a [128, n / 128] uint8 matrix: each column sums to at most 128
    // (fits uint8), and reducing over rows reads memory in order (a column-wise sum over chunks
    // of 128 in a row ran at a tenth of the GPU's bandwidth). The few leftover values add on.
    constexpr int64_t kRows = 128;
    const auto flat = mask.reshape({-1});
    const int64_t n = flat.numel(), main = n / kRows * kRows;
    if (main == 0) return flat.sum();
    auto count = flat.narrow(0, 0, main).view(torch::kUInt8).view({kRows, main / kRows}).sum(0, false, torch::kUInt8).sum();
    return main == n ? count : count + flat.narrow(0, main, n - main).sum();
}

torch::Tensor nonfinite_counts(const torch::Tensor& x) {
    return torch::stack({count_true(torch::isnan(x)), count_true(torch::isinf(x))});
}

}  // namespace studio
