#include "ValueScan.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "studio/Trace.h"

namespace studio {

namespace {
constexpr float kFp16Max = 65504.0f;
constexpr int32_t kExpAllOnes = 0x7F800000;  // |x| bits at and above: Inf, then NaN
constexpr int32_t kFp16MaxBits = 0x477FE000; // bits of 65504
constexpr int32_t kFp16MinNormalBits = 0x38800000;  // bits of 2^-14

// Exactly representable in fp16, for a finite |x| given by its bits: in range, and no mantissa
// bits below fp16's last one (10 bits for normals; fewer in fp16's subnormal range).
inline int32_t fits_fp16(int32_t a) {
    const int32_t e = a >> 23;
    const int32_t shift = a >= kFp16MinNormalBits ? 13 : (e >= 103 ? 13 + (113 - e) : 31);
    return (a <= kFp16MaxBits) & (((a & static_cast<int32_t>((1u << shift) - 1u)) == 0) | (a == 0));
}

// Running counts of one thread's share. Signed 32-bit lanes, compares and an integer max (finite
// |x| bit patterns order as the values do) keep the loop branch-free: the compiler vectorises it
// with plain SSE2, where unsigned or float forms of it would not be.
struct Counts {
    int64_t nan{0}, inf{0}, beyond{0}, nonzero{0}, bf16{0}, fp16{0}, finite{0}, fits{0};
    int32_t max_bits{0};
};

template <torch::Dtype Fit, typename Load>
void scan_range(Load load, int64_t begin, int64_t end, Counts& c) {
    int32_t nan = 0, inf = 0, beyond = 0, nonzero = 0, bf16 = 0, fp16 = 0, finite = 0, fits = 0, mx = 0;
    for (int64_t i = begin; i < end; ++i) {
        const int32_t b = load(i);
        const int32_t a = b & 0x7FFFFFFF;
        const int32_t fin = a < kExpAllOnes;
        nan += a > kExpAllOnes;
        inf += a == kExpAllOnes;
        finite += fin;
        const int32_t v = fin ? a : 0;
        mx = v > mx ? v : mx;
        beyond += fin & (a > kFp16MaxBits);
        const int32_t nz = fin & (a != 0);
        const int32_t lo16 = (b & 0xFFFF) == 0, lo13 = (b & 0x1FFF) == 0;
        nonzero += nz;
        bf16 += nz & lo16;
        fp16 += nz & lo13;
        if constexpr (Fit == torch::kBFloat16) fits += fin & lo16;
        else if constexpr (Fit == torch::kFloat16) fits += fin & fits_fp16(a);
        else fits += fin;
    }
    c.nan += nan, c.inf += inf, c.beyond += beyond, c.nonzero += nonzero, c.bf16 += bf16, c.fp16 += fp16;
    c.finite += finite, c.fits += fits;
    c.max_bits = std::max(c.max_bits, mx);
}

template <torch::Dtype Fit, typename Load>
ValueScan scan_with(Load load, int64_t count) {
    std::vector<Counts> parts(static_cast<size_t>(std::max(1, at::get_num_threads())));
    // Large outputs split over the intra-op threads (each with its own counters); chunks stay far
    // below 2^32 values.
    at::parallel_for(0, count, 65536, [&](int64_t begin, int64_t end) {
        Counts& c = parts[static_cast<size_t>(at::get_thread_num()) % parts.size()];
        // 32-bit counters per piece: pieces of at most 2^30 values.
        for (int64_t b = begin; b < end; b += (int64_t{1} << 30)) scan_range<Fit>(load, b, std::min(end, b + (int64_t{1} << 30)), c);
    });
    ValueScan out;
    out.elements = count;
    int32_t max_bits = 0;
    for (const auto& c : parts) {
        out.nan += c.nan, out.inf += c.inf, out.beyond_fp16 += c.beyond, out.nonzero += c.nonzero;
        out.bf16_bits += c.bf16, out.fp16_bits += c.fp16, out.finite += c.finite, out.fits += c.fits;
        max_bits = std::max(max_bits, c.max_bits);
    }
    float m;
    std::memcpy(&m, &max_bits, sizeof m);
    out.max_abs = m;
    return out;
}

template <typename Load>
ValueScan scan_fit(Load load, int64_t count, torch::Dtype fit) {
    if (fit == torch::kBFloat16) return scan_with<torch::kBFloat16>(load, count);
    if (fit == torch::kFloat16) return scan_with<torch::kFloat16>(load, count);
    return scan_with<torch::kFloat32>(load, count);
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
    const int64_t count = (n + stride - 1) / stride;
    switch (t.scalar_type()) {
        case torch::kBFloat16: {
            const auto* p = reinterpret_cast<const uint16_t*>(t.data_ptr<c10::BFloat16>());
            return scan_fit([p, stride](int64_t i) { return static_cast<int32_t>(static_cast<uint32_t>(p[i * stride]) << 16); },
                            count, fit);
        }
        case torch::kFloat16: {
            const auto* p = t.data_ptr<c10::Half>();
            return scan_fit([p, stride](int64_t i) {
                const float x = static_cast<float>(p[i * stride]);
                int32_t b;
                std::memcpy(&b, &x, sizeof b);
                return b;
            }, count, fit);
        }
        default: {
            const float* p = t.data_ptr<float>();
            auto bits = [](const float* x) {
                int32_t b;
                std::memcpy(&b, x, sizeof b);
                return b;
            };
            if (stride == 1) return scan_fit([p, bits](int64_t i) { return bits(p + i); }, count, fit);
            return scan_fit([p, stride, bits](int64_t i) { return bits(p + i * stride); }, count, fit);
        }
    }
}

torch::Tensor scan_values_device(const torch::Tensor& t, torch::Dtype fit) {
    const auto f = t.detach().to(torch::kFloat32).contiguous().reshape({-1});
    const auto fin = torch::isfinite(f);
    const auto a = f.abs();
    const auto bits = f.view(torch::kInt32);
    const auto nz = fin.logical_and(f.ne(0));
    const auto fits = fit == torch::kFloat32 ? fin : f.to(fit).to(torch::kFloat32).eq(f).logical_and(fin);
    const auto counts = torch::stack({count_true(torch::isnan(f)), count_true(torch::isinf(f)),
                                      count_true(a.gt(kFp16Max).logical_and(fin)), count_true(nz),
                                      count_true(bits.bitwise_and(0xFFFF).eq(0).logical_and(nz)),
                                      count_true(bits.bitwise_and(0x1FFF).eq(0).logical_and(nz)), count_true(fin),
                                      count_true(fits)});
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
