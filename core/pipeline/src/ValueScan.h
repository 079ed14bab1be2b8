#pragma once
// The audit's per-site statistics of a tensor's values. On the CPU one pass over the raw data
// computes all of them (a chain of tensor ops would cost ~15 allocations and passes per site);
// on a GPU the same numbers are computed by tensor ops into one device tensor that is read back
// later, so tracing never waits for the device.
#include <torch/torch.h>

#include <cstdint>

namespace studio {

struct ValueScan {
    int64_t elements{0};
    int64_t nan{0}, inf{0};
    int64_t beyond_fp16{0};   // finite values with |x| > 65504
    int64_t nonzero{0};       // finite, non-zero values: the signature's population
    int64_t bf16_bits{0};     // ... whose mantissa fits 7 bits (low 16 fp32 bits zero)
    int64_t fp16_bits{0};     // ... whose mantissa fits 10 bits (low 13 fp32 bits zero)
    int64_t finite{0};
    int64_t fits{0};          // finite values exactly representable in the `fit` dtype
    double max_abs{0};        // over finite values

    // True when every finite value is exactly representable in the `fit` dtype.
    bool all_fit() const { return fits == finite; }
    void add(const ValueScan& o);
};

// Every value of a CPU tensor of any floating dtype (or, with max_values > 0, an evenly strided
// subset of at most that many values).
ValueScan scan_values_cpu(const torch::Tensor& t, torch::Dtype fit, int64_t max_values = 0);

// The same statistics computed on the tensor's device, packed as kScanWidth doubles (no sync);
// unpack_scan reads such a row back (the element count is known on the host).
constexpr int64_t kScanWidth = 9;
torch::Tensor scan_values_device(const torch::Tensor& t, torch::Dtype fit);
ValueScan unpack_scan(const double* row, int64_t elements);

}  // namespace studio
