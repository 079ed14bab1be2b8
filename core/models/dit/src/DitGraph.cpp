#include "studio/dit/DitGraph.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#if defined(STUDIO_HAVE_CUDA)
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace studio {

struct DitLayerGraph {
    std::vector<int64_t> key;
    torch::Tensor h, silu_c, out;
    RopeTables rope;
    KeyMask keys;
#if defined(STUDIO_HAVE_CUDA)
    std::unique_ptr<at::cuda::CUDAGraph> graph;
#endif
};

bool cuda_graphs_enabled() {
#if defined(STUDIO_HAVE_CUDA)
    const char* v = std::getenv("STUDIO_CUDA_GRAPHS");
    return !(v && std::string(v) == "0");
#else
    return false;
#endif
}

#if defined(STUDIO_HAVE_CUDA)
namespace {

std::vector<int64_t> graph_key(const torch::Tensor& h, const KeyMask& keys, const RopeTables& rope, const torch::Tensor& silu_c) {
    auto k = h.sizes().vec();
    k.push_back(static_cast<int64_t>(h.scalar_type()));
    k.push_back(silu_c.size(0));
    k.push_back(rope.freqs.defined());
    k.push_back(keys.all() ? -1 : keys.lengths.empty() ? -2 : -3);
    k.insert(k.end(), keys.lengths.begin(), keys.lengths.end());  // host values baked into the graph
    return k;
}

void copy_inputs(DitLayerGraph& g, const torch::Tensor& h, const KeyMask& keys, const RopeTables& rope, const torch::Tensor& silu_c) {
    g.h.copy_(h);
    g.silu_c.copy_(silu_c);
    g.rope.cos.copy_(rope.cos);
    g.rope.sin.copy_(rope.sin);
    if (rope.freqs.defined()) g.rope.freqs.copy_(rope.freqs);
    if (keys.mask.defined()) g.keys.mask.copy_(keys.mask);
}

std::shared_ptr<DitLayerGraph> capture(const torch::Tensor& h, const KeyMask& keys, const RopeTables& rope,
                                       const torch::Tensor& silu_c, const LayerStackFn& run) {
    auto g = std::make_shared<DitLayerGraph>();
    g->key = graph_key(h, keys, rope, silu_c);
    g->h = h.clone();
    g->silu_c = silu_c.clone();
    g->rope = {rope.cos.clone(), rope.sin.clone(), rope.freqs.defined() ? rope.freqs.clone() : torch::Tensor()};
    g->keys = keys;
    if (keys.mask.defined()) g->keys.mask = keys.mask.clone();
    torch::cuda::synchronize();
    {
        // Capture needs a side stream; one eager pass there first initialises the libraries'
        // lazy state (workspaces, kernel choices) outside the capture.
        auto stream = c10::cuda::getStreamFromPool();
        c10::cuda::CUDAStreamGuard guard(stream);
        run(g->h, g->keys, g->rope, g->silu_c);
        stream.synchronize();
        g->graph = std::make_unique<at::cuda::CUDAGraph>();
        g->graph->capture_begin();
        g->out = run(g->h, g->keys, g->rope, g->silu_c);
        g->graph->capture_end();
    }
    torch::cuda::synchronize();
    spdlog::info("transformer: captured the layer stack as a CUDA graph for {} tokens x {}", h.size(1), h.size(0));
    return g;
}

}  // namespace
#endif

torch::Tensor run_layers_graphed(std::shared_ptr<DitLayerGraph>& cache, const torch::Tensor& h, const KeyMask& keys,
                                 const RopeTables& rope, const torch::Tensor& silu_c, const LayerStackFn& run) {
#if defined(STUDIO_HAVE_CUDA)
    try {
        if (!cache || cache->key != graph_key(h, keys, rope, silu_c)) {
            cache.reset();  // free the old graph's memory before capturing the new one
            cache = capture(h, keys, rope, silu_c, run);
        }
        copy_inputs(*cache, h, keys, rope, silu_c);
        cache->graph->replay();
        return cache->out;
    } catch (const std::exception& e) {
        spdlog::warn("transformer: CUDA graph capture failed, running kernel by kernel ({})", e.what());
        cache.reset();
        return {};
    }
#else
    (void)cache, (void)h, (void)keys, (void)rope, (void)silu_c, (void)run;
    return {};
#endif
}

}  // namespace studio
