#pragma once
// Loads a torch::nn::Module's parameters by name from a WeightStore: register_module
// names equal checkpoint keys, so key = prefix + parameter path. Shapes are checked and
// weights cast once (rounded through the storage dtype when emulating).
#include <torch/torch.h>

#include <set>
#include <string>
#include <vector>

#include "studio/Numerics.h"
#include "studio/WeightStore.h"

namespace studio {

struct LoadReport {
    std::vector<std::string> unused_keys;  // in the checkpoint, not in the module (under prefix)
    int64_t parameters{0};
};

// Throws ModelLoadError naming the tensor and file when a key is missing or a shape differs.
LoadReport load_module_weights(torch::nn::Module& module, const WeightStore& store, const Numerics& nx,
                               const std::string& prefix = "", const std::set<std::string>& ignore_unused = {});

// One tensor, shape-checked (empty `shape` = any), cast for `nx`, on nx.device.
torch::Tensor load_tensor(const WeightStore& store, const std::string& key, const std::vector<int64_t>& shape,
                          const Numerics& nx);

// Casts a weight for a module: to the storage dtype then the compute dtype (rounding when emulating).
torch::Tensor cast_weight(const torch::Tensor& w, const Numerics& nx);
// cast_weight, except that a block's weight (`path` inside the module) loaded under a
// StreamedLoadScope goes to pinned host memory: it visits the device through run_block().
torch::Tensor place_weight(const std::string& path, const torch::Tensor& w, const Numerics& nx);

std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace studio
