// The text encoders' memory policy: once the prompt is encoded they are not needed until the next
// run, and on a GPU they take as much memory as the transformer (Gemma 3 4B: ~8 GiB in bf16).
#include <spdlog/spdlog.h>

#include <cstdio>

#include "RunSteps.h"
#include "studio/RequestCheck.h"

#if defined(STUDIO_HAVE_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace studio {

namespace {

std::string gib(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
    return buf;
}

void free_cached_device_memory(const torch::Device& device) {
#if defined(STUDIO_HAVE_CUDA)
    if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#else
    (void)device;
#endif
}

// Memory this run may use on the device: what the driver says is free plus what our own caching
// allocator already holds (the cached models live there). -1 when unknown.
int64_t usable_device_memory(const torch::Device& device) {
#if defined(STUDIO_HAVE_CUDA)
    if (device.is_cuda()) {
        size_t free = 0, total = 0;
        if (cudaMemGetInfo(&free, &total) != cudaSuccess) return -1;
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
        return static_cast<int64_t>(free) + stats.reserved_bytes[0].current;
    }
#else
    (void)device;
#endif
    return -1;
}

// Auto: on the CPU keep (host memory is the estimate's business, checked before the run); on a
// GPU keep when the whole run fits in 90 % of what is usable, else release.
MemoryPolicy resolve(const RunContext& ctx, std::string& reason) {
    const MemoryPolicy asked = ctx.params.memory;
    if (asked == MemoryPolicy::Offload && !ctx.device.is_cuda()) {
        reason = "offload asked, but the run is on the CPU: the encoders stay where they are";
        return MemoryPolicy::Keep;
    }
    if (asked != MemoryPolicy::Auto) {
        reason = "asked";
        return asked;
    }
    if (!ctx.device.is_cuda()) {
        reason = "auto: a CPU run keeps the encoders cached";
        return MemoryPolicy::Keep;
    }
    const MemoryEstimate need = estimate_run_memory(ctx.params);
    const int64_t usable = usable_device_memory(ctx.device);
    if (usable < 0) {
        reason = "auto: the device's free memory is unknown";
        return MemoryPolicy::Release;
    }
    const bool fits = static_cast<double>(need.total()) <= 0.9 * static_cast<double>(usable);
    reason = "auto: the run needs about " + gib(need.total()) + " with every module resident, " + gib(usable) +
             " is usable on the device";
    return fits ? MemoryPolicy::Keep : MemoryPolicy::Release;
}

}  // namespace

void text_encoder_policy_step(RunContext& ctx, ModelCache& cache, LoadedModels& m) {
    std::string reason;
    const MemoryPolicy policy = resolve(ctx, reason);
    ctx.report.memory_policy = to_string(policy);
    ctx.report.memory_policy_reason = reason;
    if (policy == MemoryPolicy::Keep) return;
    ctx.timed(policy == MemoryPolicy::Release ? "release" : "offload", [&] {
        if (policy == MemoryPolicy::Release) {
            m.gemma.reset();
            m.jina.reset();
            cache.release_kind("gemma");
            cache.release_kind("jina");
        } else {
            m.gemma->model->to(torch::kCPU);
            m.jina->model->to(torch::kCPU);
        }
        free_cached_device_memory(ctx.device);
    });
    spdlog::info("text encoders {}: {}", policy == MemoryPolicy::Release ? "released" : "offloaded to host memory", reason);
}

}  // namespace studio
