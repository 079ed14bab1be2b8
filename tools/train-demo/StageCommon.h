#pragma once
// Helpers shared by the training stages: checkpoint paths, device set-up, plan and budget.
#include <string>

#include "Stages.h"
#include "TrainSupport.h"

namespace studio::demo {

struct StagePaths {
    std::string weights, optimizer, state, log;
};
StagePaths stage_paths(const std::string& checkpoints, const std::string& stage);  // stage: "vae", "text_dit"

// Rendering threads: the request, else cores - 2 (at least 1).
int worker_count(int requested);
// Intra-op threads and TF32 for training on `options.device`.
void configure_training_device(const TrainOptions& options);

// Fraction of the stage's plan done (0 when there is no plan).
double plan_progress(int64_t step, double train_seconds, const TrainOptions& options);
bool plan_done(int64_t step, double train_seconds, const TrainOptions& options);
// Learning-rate warm-up: `steps`, or a tenth of a shorter step plan.
int64_t warmup_steps(const TrainOptions& options, int64_t steps);

// True while another step of `step_seconds` (plus `reserve` for the final save) fits the budget.
bool budget_allows(const Stopwatch& wall, double step_seconds, double reserve, const TrainOptions& options);

// Waits for queued CUDA work so timings mean something; no-op on the CPU.
void synchronize(const torch::Device& device);

}  // namespace studio::demo
