#include "ValueScan.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace studio {

namespace {
constexpr float kFp16Max = 65504.0f;

inline uint32_t bits_of(float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// One value into the running statistics; `bits` is the value's fp32 bit pattern.
inline void scan_one(float x, uint32_t bits, torch::Dtype fit, ValueScan& s) {
    if ((bits & 0x7F800000u) == 0x7F800000u) {
        ++((bits & 0x007FFFFFu) ? s.nan : s.inf);
        return;
    }
    ++s.finite;
    const float a = std::fabs(x);
    if (a > s.max_abs) s.max_abs = a;
    if (a > kFp16Max) ++s.beyond_fp16;
    const bool low16 = (bits & 0xFFFFu) == 0;
    if (a != 0) {
        ++s.nonzero;
        s.bf16_bits += low16;
        s.fp16_bits += (bits & 0x1FFFu) == 0;
    }
    if (fit == torch::kBFloat16) s.fits += low16;
    else if (fit == torch::kFloat16) s.fits += static_cast<float>(c10::Half(x)) == x;
    else ++s.fits;
}

template <typename T>
inline float as_float(T v) {
    return static_cast<float>(v);
}

template <typename T>
ValueScan scan_typed(const T* data, int64_t n, int64_t stride, torch::Dtype fit) {
    const int64_t count = (n + stride - 1) / stride;
    std::vector<ValueScan> parts(static_cast<size_t>(std::max(1, at::get_num_threads())));
    // Large outputs split over the intra-op threads; each thread sums into its own slot.
    at::parallel_for(0, count, 32768, [&](int64_t begin, int64_t end) {
        ValueScan& s = parts[static_cast<size_t>(at::get_thread_num()) % parts.size()];
        for (int64_t k = begin; k < end; ++k) {
            const float x = as_float(data[k * stride]);
            scan_one(x, bits_of(x), fit, s);
        }
    });
    ValueScan out;
    for (const auto& p : parts) out.add(p);
    out.elements = count;
    return out;
}
}  // namespace

void ValueScan::add(const ValueScan& o) {
    elements += o.elements;
    nan += o.nan;
    inf += o.inf;
    beyond_fp16 += o.beyond_fp16;
    nonzero += o.nonzero;
    bf16_bits += o.bf16_bits;
    fp16_bits += o.fp16_bits;
    finite += o.finite;
    fits += o.fits;
    max_abs = std::max(max_abs, o.max_abs);
}

ValueScan scan_values_cpu(const torch::Tensor& t_in, torch::Dtype fit, int64_t max_values) {
    if (!t_in.defined() || t_in.numel() == 0) return {};
    torch::Tensor t = t_in.detach();
    if (t.scalar_type() != torch::kFloat32 && t.scalar_type() != torch::kBFloat16 && t.scalar_type() != torch::kFloat16)
        t = t.to(torch::kFloat32);
    t = t.contiguous();
    const int64_t n = t.numel();
    const int64_t stride = max_values > 0 && n > max_values ? n / max_values : 1;
    switch (t.scalar_type()) {
        case torch::kBFloat16: return scan_typed(t.data_ptr<c10::BFloat16>(), n, stride, fit);
        case torch::kFloat16: return scan_typed(t.data_ptr<c10::Half>(), n, stride, fit);
        default: return scan_typed(t.data_ptr<float>(), n, stride, fit);
    }
}

torch::Tensor scan_values_device(const torch::Tensor& t, torch::Dtype fit) {
    const auto f = t.detach().to(torch::kFloat32).contiguous().reshape({-1});
    const auto fin = torch::isfinite(f);
    const auto a = f.abs();
    const auto bits = f.view(torch::kInt32);
    const auto nz = fin.logical_and(f.ne(0));
    const auto fits = fit == torch::kFloat32 ? fin : f.to(fit).to(torch::kFloat32).eq(f).logical_and(fin);
    const auto counts = torch::stack({torch::isnan(f).sum(), torch::isinf(f).sum(), a.gt(kFp16Max).logical_and(fin).sum(),
                                      nz.sum(), bits.bitwise_and(0xFFFF).eq(0).logical_and(nz).sum(),
                                      bits.bitwise_and(0x1FFF).eq(0).logical_and(nz).sum(), fin.sum(), fits.sum()});
    const auto max_abs = torch::where(fin, a, torch::zeros_like(a)).max();
    return torch::cat({counts.to(torch::kFloat64), max_abs.to(torch::kFloat64).reshape({1})});
}

ValueScan unpack_scan(const double* r, int64_t elements) {
    ValueScan s;
    s.elements = elements;
    s.nan = static_cast<int64_t>(r[0]);
    s.inf = static_cast<int64_t>(r[1]);
    s.beyond_fp16 = static_cast<int64_t>(r[2]);
    s.nonzero = static_cast<int64_t>(r[3]);
    s.bf16_bits = static_cast<int64_t>(r[4]);
    s.fp16_bits = static_cast<int64_t>(r[5]);
    s.finite = static_cast<int64_t>(r[6]);
    s.fits = static_cast<int64_t>(r[7]);
    s.max_abs = r[8];
    return s;
}

}  // namespace studio
