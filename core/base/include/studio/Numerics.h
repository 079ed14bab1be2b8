#pragma once
// How one module computes: its precision, device and whether a reduced precision runs
// natively or emulated (fp32 arithmetic, every op's output rounded to the dtype).
// On CPU most fp16 kernels do not exist and bf16 ones are slow and accumulate in bf16,
// so Auto emulates there and runs natively on CUDA.
#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>

#include "studio/Precision.h"

namespace studio {

// at::rms_norm (fused on CUDA) exists from libtorch 2.4 on.
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#if defined(TORCH_VERSION_MAJOR) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
#define STUDIO_TORCH_HAS_RMS_NORM 1
#else
#define STUDIO_TORCH_HAS_RMS_NORM 0
#endif

bool fast_kernels_available();   // this libtorch has the fused kernels the fast path uses
bool plain_kernels_requested();  // STUDIO_PLAIN_KERNELS is set (not "0")

struct Numerics {
    Precision precision{Precision::FP32};
    torch::Device device{torch::kCPU};
    bool emulated{false};
    // Fused library kernels (libtorch 2.x on CUDA, native precision): one-pass RMSNorm, complex
    // RoPE, fused projections. Same formulas with fewer intermediate roundings; off = the plain
    // reference path, kept for comparison (STUDIO_PLAIN_KERNELS=1 turns it off everywhere).
    bool fast_kernels{false};
    // Fault injection only (precision-cli --inject): emulation rounds through this dtype instead
    // of storage(); kFloat32 = no rounding at all. Named in label(), so caches keep it apart.
    std::optional<torch::Dtype> fault_rounding;
    // Fault injection only: an autocast precision whose autocast region is never entered, as a
    // pipeline that forgets its `torch.autocast` block would run it.
    bool fault_autocast_off{false};

    static Numerics make(Precision p, torch::Device device, NumericsMode mode = NumericsMode::Auto);
    static Numerics fp32_cpu() { return make(Precision::FP32, torch::kCPU); }

    // Logical dtype of weights and activations: fp32 (fp32/tf32), bf16 or fp16.
    torch::Dtype storage() const;
    // Dtype tensors really have: fp32 when emulating, else storage().
    torch::Dtype compute() const { return emulated ? torch::kFloat32 : storage(); }
    bool reduced() const { return storage() != torch::kFloat32; }
    // The dtype autocast lowers matmuls/convolutions to (autocast precisions only).
    std::optional<torch::Dtype> autocast() const;

    // Rounds through the storage dtype when emulating; identity otherwise.
    torch::Tensor q(const torch::Tensor& x) const {
        if (!emulated || !reduced()) return x;
        const torch::Dtype d = fault_rounding.value_or(storage());
        return d == torch::kFloat32 ? x : x.to(d).to(torch::kFloat32);
    }
    // Module entry: moves/casts an input to this module's compute dtype and rounds it.
    torch::Tensor in(const torch::Tensor& x) const { return q(x.to(device, compute())); }
    torch::TensorOptions options() const { return torch::TensorOptions().dtype(compute()).device(device); }

    // "fp32", "tf32", "bf16 native", "bf16 emulated", ...
    std::string label() const;
};

// A module's compute state while alive, restored after: the CUDA TF32 switches (on only for
// tf32) and, for the autocast precisions, libtorch autocast on the module's device.
class ComputeScope {
public:
    explicit ComputeScope(const Numerics& nx);
    ~ComputeScope();
    ComputeScope(const ComputeScope&) = delete;
    ComputeScope& operator=(const ComputeScope&) = delete;

private:
    bool m_tf32{false};
    bool m_prev_cublas{false};
    bool m_prev_cudnn{false};
    bool m_autocast{false};
    bool m_prev_autocast{false};
    c10::DeviceType m_autocast_device{c10::DeviceType::CPU};
    c10::ScalarType m_prev_autocast_dtype{c10::ScalarType::BFloat16};
};

// RMSNorm with statistics in fp32 (as the references do), result cast back to the
// compute dtype, multiplied by weight (or by 1 + weight for Gemma), rounded.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps, const Numerics& nx,
                       bool one_plus_weight = false);

// Scaled dot-product attention. q [B,H,Sq,D], k/v [B,H,Sk,D]; mask bool broadcastable to
// [B,H,Sq,Sk], true = may attend (undefined = all). Softmax in fp32. Rows with no visible key
// attend to everything instead of producing NaN (their outputs are padding by contract).
// Uses at::scaled_dot_product_attention where the libtorch has it (2.x), a manual path otherwise.
// With `qk_normalized` (q and k come out of an RMSNorm), tf32 on CUDA with the fast kernels runs
// on the fp16 tensor-core kernels, which round as TF32 does (10 mantissa bits, fp32 accumulation).
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask, double scale, const Numerics& nx, bool qk_normalized = false);

// Elements per dtype name of a module's parameters ("bf16" -> 123456, ...).
std::map<std::string, int64_t> weight_dtype_histogram(torch::nn::Module& module);
std::string dtype_name(torch::Dtype d);  // "fp32", "bf16", "fp16", "fp64", "int64", ...

// Uses all cores for intra-op work (libtorch 1.13 defaults to half of them).
void configure_torch_threads();

}  // namespace studio
