#include "studio/Numerics.h"

#include <ATen/autocast_mode.h>

#include <cstdlib>
#include <thread>

#include "studio/Errors.h"
#include "studio/Trace.h"

namespace studio {

bool fast_kernels_available() {
#if STUDIO_TORCH_HAS_RMS_NORM
    return true;
#else
    return false;
#endif
}

bool plain_kernels_requested() {
    const char* v = std::getenv("STUDIO_PLAIN_KERNELS");
    return v && *v && std::string(v) != "0";
}

Numerics Numerics::make(Precision p, torch::Device device, NumericsMode mode) {
    Numerics nx;
    nx.precision = p;
    nx.device = device;
    const bool reduced = p == Precision::BF16 || p == Precision::FP16;
    if (!reduced) nx.emulated = false;
    else if (mode == NumericsMode::Emulated) nx.emulated = true;
    else if (mode == NumericsMode::Native) nx.emulated = false;
    else nx.emulated = device.is_cpu();
    // Autocast keeps the plain path: the fused kernels want one dtype for input and weight.
    nx.fast_kernels = fast_kernels_available() && device.is_cuda() && !nx.emulated && !is_autocast(p) &&
                      !plain_kernels_requested();
    return nx;
}

torch::Dtype Numerics::storage() const {
    switch (precision) {
        case Precision::BF16: return torch::kBFloat16;
        case Precision::FP16: return torch::kFloat16;
        default: return torch::kFloat32;
    }
}

std::optional<torch::Dtype> Numerics::autocast() const {
    if (precision == Precision::AutocastBF16) return torch::kBFloat16;
    if (precision == Precision::AutocastFP16) return torch::kFloat16;
    return std::nullopt;
}

std::string Numerics::label() const {
    std::string s = studio::to_string(precision);
    if (reduced()) s += emulated ? " emulated" : " native";
    if (precision == Precision::TF32 && device.is_cpu()) s += " (= fp32 on CPU)";
    if (autocast()) s += " (fp32 weights, per-op dtypes)";
    if (fault_autocast_off) s += " [injected: autocast off]";
    if (fault_rounding) s += *fault_rounding == torch::kFloat32 ? " [injected: no rounding]" : " [injected: rounds " + dtype_name(*fault_rounding) + "]";
    return s;
}

namespace {
// libtorch 2.4 replaced the per-device autocast switches with device-type arguments.
#if defined(TORCH_VERSION_MAJOR) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
bool autocast_enabled(c10::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
c10::ScalarType autocast_dtype(c10::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void set_autocast(c10::DeviceType d, bool on, c10::ScalarType dtype) {
    at::autocast::set_autocast_dtype(d, dtype);
    at::autocast::set_autocast_enabled(d, on);
}
#else
bool autocast_enabled(c10::DeviceType d) { return d == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
c10::ScalarType autocast_dtype(c10::DeviceType d) {
    return d == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast(c10::DeviceType d, bool on, c10::ScalarType dtype) {
    if (d == c10::DeviceType::CUDA) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(on);
    } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(on);
    }
}
#endif
}  // namespace

ComputeScope::ComputeScope(const Numerics& nx) {
    if (nx.device.is_cuda()) {
        auto& ctx = at::globalContext();
        m_prev_cublas = ctx.allowTF32CuBLAS();
        m_prev_cudnn = ctx.allowTF32CuDNN();
        const bool want = nx.precision == Precision::TF32;
        ctx.setAllowTF32CuBLAS(want);
        ctx.setAllowTF32CuDNN(want);
        m_tf32 = true;
    }
    if (const auto dtype = nx.autocast(); dtype && !nx.fault_autocast_off) {
        m_autocast_device = nx.device.type();
        m_prev_autocast = autocast_enabled(m_autocast_device);
        m_prev_autocast_dtype = autocast_dtype(m_autocast_device);
        set_autocast(m_autocast_device, true, *dtype);
        m_autocast = true;
    }
}

ComputeScope::~ComputeScope() {
    if (m_autocast) {
        set_autocast(m_autocast_device, m_prev_autocast, m_prev_autocast_dtype);
        if (!m_prev_autocast) at::autocast::clear_cache();  // cached weight casts belong to this scope
    }
    if (!m_tf32) return;
    auto& ctx = at::globalContext();
    ctx.setAllowTF32CuBLAS(m_prev_cublas);
    ctx.setAllowTF32CuDNN(m_prev_cudnn);
}

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps, const Numerics& nx,
                       bool one_plus_weight) {
#if STUDIO_TORCH_HAS_RMS_NORM
    // One kernel instead of six passes over the activations; statistics stay in fp32, the
    // weight is applied before the single cast back.
    if (nx.fast_kernels && !one_plus_weight && x.scalar_type() == weight.scalar_type())
        return at::rms_norm(x, {x.size(-1)}, weight, eps);
#endif
    const auto xf = x.to(torch::kFloat32);
    auto y = xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps);
    if (one_plus_weight) {
        // Gemma: the (1 + w) product happens in fp32 and is cast afterwards.
        y = y * (1.0 + weight.to(torch::kFloat32));
        return nx.q(y.to(x.scalar_type()));
    }
    y = nx.q(y.to(x.scalar_type()));
    return nx.q(y * weight);
}

#if defined(STUDIO_HAVE_SDPA)
namespace {
// The kernel libtorch's own dispatcher picks for these inputs (sdp::SDPBackend values: math 0,
// flash 1, memory-efficient 2, cuDNN 3, overrideable 4 in 2.x; fewer in older 2.x releases).
std::string sdpa_backend_name(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& mask) {
    const int64_t choice = at::_fused_sdp_choice(q, k, v, mask.defined() ? c10::optional<at::Tensor>(mask) : c10::nullopt,
                                                 0.0, false);
    switch (choice) {
        case 0: return "math";
        case 1: return "flash";
        case 2: return "memory-efficient";
        case 3: return "cudnn";
        case 4: return "overrideable";
        default: return "unknown (" + std::to_string(choice) + ")";
    }
}

// TF32 rounds a matmul's inputs to 10 mantissa bits and accumulates in fp32; libtorch's fp16
// attention kernels do the same (fp32 scores, softmax and accumulation) on tensor cores, where
// fp32 SDPA has only a CUDA-core kernel (~4x slower at 1024²). fp16's narrow range is the one
// difference: q and k are RMS-normalised (the caller says so), and v is divided by a power of two
// picked on the device (exact, no host sync) so its largest magnitude stays below 2^14.
torch::Tensor tf32_attention_on_fp16_kernels(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                             const torch::Tensor& mask) {
    const auto v_scale = torch::exp2(torch::ceil(torch::log2(v.abs().amax().clamp_min(1.0) / 16384.0))).clamp_min(1.0);
    const auto q16 = q.to(torch::kFloat16), k16 = k.to(torch::kFloat16), v16 = (v / v_scale).to(torch::kFloat16);
    if (trace_wants_note("attention-backend"))
        trace_note("attention-backend", sdpa_backend_name(q16, k16, v16, mask) + " (fp16 kernels for tf32)");
    const auto o = at::scaled_dot_product_attention(q16, k16, v16, mask.defined() ? c10::optional<at::Tensor>(mask) : c10::nullopt);
    return o.to(torch::kFloat32) * v_scale;
}
}  // namespace
#endif

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask_in, double scale, const Numerics& nx, bool qk_normalized) {
    torch::Tensor mask;
    if (mask_in.defined()) {
        mask = mask_in.to(torch::kBool);
        // A row that sees no key would give NaN; let it see everything (it is padding).
        mask = mask.logical_or(mask.any(-1, true).logical_not());
    }
#if defined(STUDIO_HAVE_SDPA)
    if (!nx.emulated) {
        const double d = static_cast<double>(q.size(-1));
        const double default_scale = 1.0 / std::sqrt(d);
        auto qs = std::abs(scale - default_scale) > 1e-12 * default_scale ? q * (scale / default_scale) : q;
        if (qk_normalized && nx.fast_kernels && nx.precision == Precision::TF32 && qs.is_cuda() &&
            qs.scalar_type() == torch::kFloat32 && !nx.autocast())
            return tf32_attention_on_fp16_kernels(qs, k, v, mask);
        if (qs.is_cuda() && trace_wants_note("attention-backend")) {
            // Under autocast the kernel sees the lowered dtype: ask the dispatcher about that.
            const auto d = nx.autocast().value_or(qs.scalar_type());
            trace_note("attention-backend", sdpa_backend_name(qs.to(d), k.to(d), v.to(d), mask));
        }
        return at::scaled_dot_product_attention(qs, k, v, mask.defined() ? c10::optional<at::Tensor>(mask) : c10::nullopt);
    }
#endif
    auto scores = nx.q(torch::matmul(q, k.transpose(-2, -1)) * scale);
    auto scores_f = scores.to(torch::kFloat32);
    if (mask.defined()) scores_f = scores_f.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
    auto probs = nx.q(torch::softmax(scores_f, -1).to(q.scalar_type()));
    return nx.q(torch::matmul(probs, v));
}

std::string dtype_name(torch::Dtype d) {
    switch (d) {
        case torch::kFloat32: return "fp32";
        case torch::kBFloat16: return "bf16";
        case torch::kFloat16: return "fp16";
        case torch::kFloat64: return "fp64";
        case torch::kInt64: return "int64";
        case torch::kInt32: return "int32";
        case torch::kBool: return "bool";
        case torch::kUInt8: return "uint8";
        default: return std::string(c10::toString(d));
    }
}

std::map<std::string, int64_t> weight_dtype_histogram(torch::nn::Module& module) {
    std::map<std::string, int64_t> h;
    for (const auto& p : module.parameters()) h[dtype_name(p.scalar_type())] += p.numel();
    for (const auto& b : module.buffers()) h[dtype_name(b.scalar_type())] += b.numel();
    return h;
}

void configure_torch_threads() {
    const unsigned n = std::max(1u, std::thread::hardware_concurrency());
    if (at::get_num_threads() != static_cast<int>(n)) at::set_num_threads(static_cast<int>(n));
}

}  // namespace studio
