// The text encoders' memory policy: once the prompt is encoded they are not needed until the next
// run, and on a GPU they take as much memory as the transformer (Gemma 3 4B: ~8 GiB in bf16).
#include <spdlog/spdlog.h>

#include <algorithm>
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
    if ((asked == MemoryPolicy::Offload || asked == MemoryPolicy::Sequential) && !ctx.device.is_cuda()) {
        reason = to_string(asked) + " asked, but the run is on the CPU: the weights stay where they are";
        return MemoryPolicy::Keep;
    }
    if (asked == MemoryPolicy::Sequential) {
        reason = "asked: the text encoder's and the transformer's layers stream from host memory, one at a time";
        return asked;
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

bool limit_device_memory(int64_t bytes) {
#if defined(STUDIO_HAVE_CUDA)
    if (!torch::cuda::is_available()) return false;
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess || total == 0) return false;
    (void)torch::empty({1}, torch::TensorOptions().device(torch::kCUDA));  // initialises the allocator
    c10::cuda::CUDACachingAllocator::setMemoryFraction(std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total)), 0);
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

void move_to_host(torch::nn::Module& module) {
#if defined(STUDIO_HAVE_CUDA)
    // Pageable memory goes through a staging copy each way: swapping the full model cost 6 s per
    // image that way on an H200.
    torch::NoGradGuard no_grad;
    auto park = [](torch::Tensor t) {
        if (!t.defined() || !t.is_cuda()) return;
        auto host = torch::empty(t.sizes(), t.options().device(torch::kCPU).pinned_memory(true));
        host.copy_(t);
        t.set_data(host);
    };
    for (const auto& p : module.parameters()) park(p);
    for (const auto& b : module.buffers()) park(b);
#else
    module.to(torch::kCPU);
#endif
}

void text_encoder_policy_step(RunContext& ctx, ModelCache& cache, LoadedModels& m) {
    std::string reason;
    const MemoryPolicy policy = resolve(ctx, reason);
    ctx.report.memory_policy = to_string(policy);
    ctx.report.memory_policy_reason = reason;
    if (policy == MemoryPolicy::Keep || policy == MemoryPolicy::Sequential) return;
    ctx.timed(policy == MemoryPolicy::Release ? "release" : "offload", [&] {
        if (policy == MemoryPolicy::Release) {
            m.gemma.reset();
            m.jina.reset();
            cache.release_kind("gemma");
            cache.release_kind("jina");
        } else {
            move_to_host(*m.gemma->model);
            move_to_host(*m.jina->model);
        }
        free_cached_device_memory(ctx.device);
    });
    spdlog::info("text encoders {}: {}", policy == MemoryPolicy::Release ? "released" : "offloaded to host memory", reason);
}

}  // namespace studio
