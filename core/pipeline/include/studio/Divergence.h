#pragma once
// Divergence over the sampler steps: how far run B's latent and predicted velocity are from run
// A's at every step (relative L2: |x_A - x_B| / |x_A|). Shows *when* a reduced precision leaves
// the fp32 trajectory. Torch-free: trajectories are plain float copies.
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "studio/Job.h"

namespace studio {

// Every step's conditional latent and velocity of one run, flattened fp32 (CPU copies).
struct StepTrajectory {
    std::vector<std::vector<float>> latents;
    std::vector<std::vector<float>> velocities;
    int steps() const { return static_cast<int>(latents.size()); }
};

struct StepDivergence {
    int step{0};              // 1-based sampler step
    double latent{0};         // |x_A - x_B| / |x_A|
    double velocity{0};       // |v_A - v_B| / |v_A|
};

// Compares step by step over the steps both runs have. Throws StudioError when a step's sizes
// differ (other image size or model). Non-finite values give NaN for that step.
std::vector<StepDivergence> trajectory_divergence(const StepTrajectory& a, const StepTrajectory& b);

// [{"step": 1, "latent": 1e-4, "velocity": 2e-4}, ...] (NaN as null); and back.
nlohmann::json divergence_to_json(const std::vector<StepDivergence>& d);
std::vector<StepDivergence> divergence_from_json(const nlohmann::json& j);

// Chains a recorder onto the callbacks' on_step_state: every step is copied into `into` (to the
// CPU, fp32). Defined in studio_pipeline (it touches tensors); this declaration stays torch-free.
void record_trajectory(JobCallbacks& callbacks, std::shared_ptr<StepTrajectory> into);

}  // namespace studio
