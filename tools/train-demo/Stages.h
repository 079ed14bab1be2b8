#pragma once
// The stages of train-demo. Each reads and writes one checkpoint folder:
//   configs.json                     the architecture (preset), written once
//   tokenizers/                      tokenizer.model (Gemma side), sentencepiece.bpe.model (Jina side)
//   vae.safetensors, vae.json        encoder + decoder weights, state (step, seconds, latent statistics)
//   text_dit.safetensors, text_dit.json   Gemma + Jina + DiT weights, state
//   *.optim.safetensors              AdamW moments (optional on resume: fresh moments re-warm)
//   vae_loss.csv, text_dit_loss.csv  the loss every --log-every steps
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "DemoModels.h"
#include "studio/demo/AttributeProbe.h"

namespace studio::demo {

struct TrainOptions {
    std::string checkpoints;       // the checkpoint folder
    std::string preset{"demo"};    // used when the folder has no configs.json yet
    torch::Device device{torch::kCPU};
    uint64_t seed{1234};
    double seconds{0};             // wall-clock budget of this invocation, setup included (0 = none)
    double plan_seconds{0};        // training time of the whole stage across invocations (0 = none)
    int64_t plan_steps{0};         // steps of the whole stage (0 = none); the stage ends at either plan
    int batch{0};                  // 0 = the preset's
    double lr{0};                  // 0 = the preset's
    int log_every{25};
    int checkpoint_every{500};
    bool resume{false};            // continue from the folder's checkpoint of the stage
    int workers{0};                // rendering threads (0 = cores - 2, at least 1)
    int threads{0};                // torch intra-op threads (0 = every core on CPU, 2 on CUDA)
    bool tf32{true};               // TF32 matmuls / convolutions on CUDA
};

struct StageResult {
    int64_t steps{0};       // total steps of the stage so far
    double train_seconds{0};
    bool complete{false};   // the plan is done
    double last_loss{0};
};

StageResult run_vae_stage(const TrainOptions& options);
StageResult run_text_dit_stage(const TrainOptions& options);

struct ExportOptions {
    std::string checkpoints;
    std::string out;        // the model folder to write (official layout)
    bool bf16{false};       // store weights as bf16 (halves the size)
};
// Returns the bytes written. Throws ExportError / ModelLoadError.
int64_t export_demo_model(const ExportOptions& options);

struct SampleOptions {
    std::string model;        // an exported model folder
    torch::Device device{torch::kCPU};
    int samples{64};
    int batch{16};            // scenes per model call
    uint64_t seed{100000};    // scene i uses seed + i (scene and noise)
    int steps{20};
    double cfg{4.0};
    double shift{6.0};
    int size{256};
    double two_character_fraction{0.2};
    std::string images;       // folder for the images (.ppm), optional
};
struct SampleResult {
    AttributeTally tally;
    double load_seconds{0}, encode_seconds{0}, sample_seconds{0}, decode_seconds{0}, total_seconds{0};
};
SampleResult run_sample_stage(const SampleOptions& options);

// Loads configs.json, or writes the preset's when the folder is new.
DemoModelConfig load_or_create_config(const std::string& checkpoints, const std::string& preset);

}  // namespace studio::demo
