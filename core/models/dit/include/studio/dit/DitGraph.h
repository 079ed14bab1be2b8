#pragma once
// The transformer's main layer stack replayed as one captured CUDA graph: a sampling step
// launches ~2 000 small kernels, and between them the GPU idles while the host queues the next
// (~5 % of a 1024² bf16 step on an H200). Captured once per input shape and key layout; each
// step copies its inputs into the graph's static tensors and replays.
#include <functional>
#include <memory>

#include "studio/dit/DitBlocks.h"

namespace studio {

struct DitLayerGraph;
using LayerStackFn =
    std::function<torch::Tensor(torch::Tensor, const KeyMask&, const RopeTables&, const torch::Tensor&)>;

// This build has CUDA and STUDIO_CUDA_GRAPHS is not "0".
bool cuda_graphs_enabled();

// Runs `run` through the cached graph (capturing it when the shapes changed). Returns an
// undefined tensor when no graph can be used (the caller then runs eagerly). The result lives
// in the graph's memory and is overwritten by the next replay.
torch::Tensor run_layers_graphed(std::shared_ptr<DitLayerGraph>& cache, const torch::Tensor& h, const KeyMask& keys,
                                 const RopeTables& rope, const torch::Tensor& silu_c, const LayerStackFn& run);

}  // namespace studio
