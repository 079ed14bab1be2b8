#pragma once
// What a run really did: non-finite census per stage, the dtype activations really had,
// and peak memory. Everything here is cheap next to the model work it audits.
#include <torch/torch.h>

#include <map>
#include <string>

#include "studio/Generation.h"
#include "studio/Numerics.h"

namespace studio {

// NaN / Inf / saturation counts and range of `t` (any dtype; stats in fp32).
// `saturation` = |x| at or above this counts as saturated (<= 0: not counted).
FiniteCheck check_tensor(const std::string& stage, const torch::Tensor& t, double saturation = 0);

// The dtype a module's output really carried: the tensor dtype when native; when emulated, the
// reduced dtype only if every value is exactly representable in it (else "fp32": a leak).
std::string observed_dtype(const torch::Tensor& t, const Numerics& nx);

// Elements per dtype of a module's resident weights. When emulating, a weight counts as the
// reduced dtype only if its values are exactly representable in it (stored as fp32 tensors).
std::map<std::string, int64_t> weight_census(torch::nn::Module& module, const Numerics& nx);

// Largest finite magnitude of the module's logical dtype (fp16 65504, bf16 3.39e38, fp32 3.4e38).
double dtype_max(const Numerics& nx);

// Samples resident memory (process RSS, or CUDA allocated on a CUDA device) and keeps the peak.
class MemoryMonitor {
public:
    explicit MemoryMonitor(bool cuda);
    void sample();
    int64_t peak() const { return m_peak; }
    std::string kind() const;

private:
    bool m_cuda;
    int64_t m_peak{0};
};

int64_t process_rss_bytes();

}  // namespace studio
