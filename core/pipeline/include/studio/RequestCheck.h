#pragma once
// Up-front checks of a generation request: values that make no sense (NaN, negative, out of
// range) and runs the machine cannot hold, refused with an estimate of the memory they need
// before anything is loaded. Torch-free: reads only safetensors headers and config.json files.
#include <cstdint>
#include <string>

#include "studio/Generation.h"

namespace studio {

struct MemoryEstimate {
    int64_t weights{0};      // resident weights at the requested precisions
    int64_t dit{0};          // DiT activations (batch of 2 for CFG)
    int64_t vae_decode{0};   // the VAE decoder at full resolution (usually the peak)
    int64_t available{-1};   // memory the machine has free now; -1 = unknown (CUDA)
    int64_t text_weights{0}; // the text encoders' share of `weights`
    int64_t text_block_weights{0};  // the text encoder's repeated layers (host-resident under offload)
    int64_t total() const { return weights + dit + vae_decode; }
    // Offload: the text encoder's layers stay in host memory, everything else is resident.
    int64_t offloaded() const { return total() - text_block_weights; }
    std::string describe() const;  // "about 12.3 GiB (weights 8.1 GiB, ...); 60.2 GiB available"
};

// A lower-bound estimate; components or configs that cannot be read count as 0.
MemoryEstimate estimate_run_memory(const GenerationParams& p);
// MemAvailable of /proc/meminfo in bytes, -1 when unknown.
int64_t available_system_memory();

// Caps what this process's CUDA allocator may hold on the device at `bytes` (allocations past it
// fail as out of memory): how a smaller card is simulated; --memory auto then chooses for that
// card. False without CUDA.
bool limit_device_memory(int64_t bytes);

// The --memory policy a run applies, and why. Asked policies apply as asked (offload and
// sequential need a GPU: on the CPU the weights stay where they are). Auto keeps everything on the
// CPU; on a GPU it keeps everything when the whole run fits in 90 % of `usable` bytes, offloads
// the text encoder's layers to host memory when the rest fits, and else streams the transformer's
// layers as well (sequential). `usable` < 0: unknown, offload. Release is only ever asked for.
MemoryPolicy choose_memory_policy(MemoryPolicy asked, bool cuda, const MemoryEstimate& need, int64_t usable,
                                  std::string& reason);

// Throws ConfigError when the estimate exceeds the known available memory.
void check_fits(const MemoryEstimate& m);

// Throws ConfigError naming the bad value, or the estimate against what is available.
void check_request(const GenerationParams& p);

}  // namespace studio
