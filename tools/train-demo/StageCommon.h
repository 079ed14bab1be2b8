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

// Adds each step's wall time to the stage's trained seconds (kept across invocations) and measures
// the throughput between logged steps. Only logged steps sync the device (loss.item()), so the time of
// the steps in between is settled there.
class StepWindow {
public:
    StepWindow(double& train_seconds, double first_step_seconds)
        : m_trained(train_seconds), m_start(train_seconds), m_step_seconds(first_step_seconds) {}
    // After one step timed by `sw`; on a logged step returns the images/s since the previous one.
    double add(const Stopwatch& sw, bool logged, int64_t batch);
    double step_seconds() const { return m_step_seconds; }

private:
    double& m_trained;
    double m_start;
    double m_step_seconds;
    int64_t m_steps{0};
};

// The end of a training loop: the result and its log line ("vae: stopped at step ...").
StageResult finish_stage(const std::string& stage, StageResult result, int64_t step, double train_seconds,
                         const TrainOptions& options);

}  // namespace studio::demo
