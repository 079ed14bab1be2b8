#pragma once
#include <string>
#include <vector>

namespace studio {
// Short content fingerprint of a component's weight files: FNV-1a over each file's size and
// safetensors header (names, dtypes, shapes, offsets) and up to 1 MiB of its data. Cheap on
// 17 GB checkpoints, and changes whenever the weights are re-saved differently.
std::string weight_files_hash(const std::vector<std::string>& files);
}  // namespace studio
