#pragma once
// Fixed-grid ODE sampling of the rectified flow dx/dt = v(x, t) from t = 0 (noise) to t = 1
// (data), as the reference's transport sampler (torchdiffeq fixed grid) does. The state is fp32.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace studio {

enum class FlowSolver { Euler, Midpoint };
std::string to_string(FlowSolver s);
int model_calls(FlowSolver s, int steps);  // velocity evaluations of a run

// The official grid: linspace(0, 1, steps + 1), then t / (t + s - s t), in float32 arithmetic.
std::vector<double> official_time_grid(int steps, double shift);
// Lumina2/NewBie diffusers pipelines: sigmas = linspace(1, 1/N, N), shifted s*sigma/(1 + (s-1) sigma)
// in float32, then a final 0 (N + 1 values; model time = 1 - sigma). Equals 1 - official grid.
std::vector<double> diffusers_pipeline_sigmas(int steps, double shift);
// FlowMatchEulerDiscreteScheduler.set_timesteps(N) on its own (ends at the shifted sigma_min,
// not 1/N): NOT the official grid; for comparisons.
std::vector<double> diffusers_default_sigmas(int steps, double shift, int num_train_timesteps = 1000);
// Model time grid (0 -> 1) of a sigma table (1 -> 0).
std::vector<double> time_grid_from_sigmas(const std::vector<double>& sigmas);

using VelocityFn = std::function<torch::Tensor(const torch::Tensor& x, double t)>;

struct StepInfo {
    int step;                // steps done so far (1-based)
    int steps;
    double t;                // time of the new state
    const torch::Tensor& x;  // the new state
};

// Integrates over `grid` (increasing, >= 2 points) from x0. Euler: x += dt f(x, t).
// Midpoint: x += dt f(x + dt/2 f(x, t), t + dt/2). Time arithmetic in float32 like the reference.
// `on_step` runs after each step; it may throw (e.g. CancelledError) to stop.
torch::Tensor sample_flow(const VelocityFn& f, torch::Tensor x0, const std::vector<double>& grid, FlowSolver solver,
                          const std::function<void(const StepInfo&)>& on_step = {});

}  // namespace studio
