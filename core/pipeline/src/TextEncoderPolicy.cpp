// The memory policy: once the prompt is encoded the text encoders are not needed until the next
// run, and on a GPU they take as much memory as the transformer (Gemma 3 4B: ~8 GiB in bf16).
// The policy is chosen before anything loads (choose_memory_policy); release applies after
// encoding, offload and sequential at load time (the layers that stream stay in host memory).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "RunSteps.h"
#include "studio/RequestCheck.h"

#if defined(STUDIO_HAVE_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace studio {

namespace {

#if defined(STUDIO_HAVE_CUDA)
// The cap limit_device_memory() set on the allocator, in bytes; -1 without one.
int64_t g_device_cap = -1;
#endif

// Memory this run may use on the device: what the driver says is free plus what our own caching
// allocator already holds (the cached models live there), at most the cap. -1 when unknown.
int64_t usable_device_memory(const torch::Device& device) {
#if defined(STUDIO_HAVE_CUDA)
    if (device.is_cuda()) {
        size_t free = 0, total = 0;
        if (cudaMemGetInfo(&free, &total) != cudaSuccess) return -1;
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
        const int64_t usable = static_cast<int64_t>(free) + stats.reserved_bytes[0].current;
        return g_device_cap >= 0 ? std::min(usable, g_device_cap) : usable;
    }
#else
    (void)device;
#endif
    return -1;
}

}  // namespace

bool limit_device_memory(int64_t bytes) {
#if defined(STUDIO_HAVE_CUDA)
    if (!torch::cuda::is_available()) return false;
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess || total == 0) return false;
    (void)torch::empty({1}, torch::TensorOptions().device(torch::kCUDA));  // initialises the allocator
    c10::cuda::CUDACachingAllocator::setMemoryFraction(std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total)), 0);
    g_device_cap = std::min(bytes, static_cast<int64_t>(total));  // auto then chooses for the smaller card
    return true;
#else
    (void)bytes;
    return false;
#endif
}

void free_cached_device_memory(const torch::Device& device) {
#if defined(STUDIO_HAVE_CUDA)
    if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#else
    (void)device;
#endif
}

MemoryPolicy resolve_memory_policy(const GenerationParams& params, const torch::Device& device, std::string& reason) {
    const bool auto_on_gpu = params.memory == MemoryPolicy::Auto && device.is_cuda();
    const MemoryEstimate need = auto_on_gpu ? estimate_run_memory(params) : MemoryEstimate{};
    return choose_memory_policy(params.memory, device.is_cuda(), need, auto_on_gpu ? usable_device_memory(device) : -1,
                                reason);
}

void text_encoder_policy_step(RunContext& ctx, ModelCache& cache, LoadedModels& m) {
    const MemoryPolicy policy = ctx.memory_policy;
    ctx.report.memory_policy = to_string(policy);
    ctx.report.memory_policy_reason = ctx.memory_policy_reason;
    // Offload and sequential loaded the text encoder's layers into host memory: nothing to move.
    if (policy != MemoryPolicy::Release) return;
    ctx.timed("release", [&] {
        m.gemma.reset();
        m.jina.reset();
        cache.release_kind("gemma");
        cache.release_kind("jina");
        free_cached_device_memory(ctx.device);
    });
    spdlog::info("text encoders released: {}", ctx.memory_policy_reason);
}

}  // namespace studio
