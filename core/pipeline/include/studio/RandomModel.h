#pragma once
// Writes a randomly initialised NewBie model folder in the official layout (configs,
// safetensors, tokenizers trained on a generated prompt corpus), loadable through the
// normal model-folder path. `tiny` is for tests; `full` has the real NewBie shapes.
#include <cstdint>
#include <string>

namespace studio {

enum class RandomPreset { Tiny, Full };

struct RandomModelOptions {
    RandomPreset preset{RandomPreset::Tiny};
    uint64_t seed{0};
    bool bf16_weights{false};  // store weights as bf16 (default for full: halves 14 GB of DiT)
};

// Throws ExportError when the folder cannot be written. Returns the total parameter count.
int64_t write_random_model(const std::string& dir, const RandomModelOptions& options);

// The generated prompt corpus the tokenizers are trained on (also useful for tests).
std::string random_prompt_corpus(uint64_t seed, int lines);

}  // namespace studio
