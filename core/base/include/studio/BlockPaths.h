#pragma once
// Which weights belong to a model's repeated blocks: the ones that may live in host memory and
// visit the device one block at a time (LayerStream.h), and what the memory estimate counts as
// streamable. Torch-free, so the request checks can use it.
#include <string>

namespace studio {

// True for parameter paths inside a model's repeated blocks ("layers.N.…", "noise_refiner.N.…",
// "context_refiner.N.…", at the start of the path or after a dot).
bool is_streamed_block_path(const std::string& path);

}  // namespace studio
