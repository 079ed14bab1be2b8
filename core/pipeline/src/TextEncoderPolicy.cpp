// The memory policy: once the prompt is encoded the text encoders are not needed until the next
// run, and on a GPU they take as much memory as the transformer (Gemma 3 4B: ~8 GiB in bf16).
// The policy is chosen before anything loads (choose_memory_policy), applied after encoding.
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
    spdlog::info("text encoders {}: {}", policy == MemoryPolicy::Release ? "released" : "offloaded to host memory",
                 ctx.memory_policy_reason);
}

}  // namespace studio
