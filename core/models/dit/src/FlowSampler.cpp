#include "studio/dit/FlowSampler.h"

#include "studio/Errors.h"

namespace studio {
namespace {

void check_steps(int steps) {
    if (steps < 1) throw ConfigError("the sampler needs at least one step");
}

// s * sigma / (1 + (s - 1) * sigma), every op rounded to float32 (numpy float32 arrays).
float shift_sigma_f32(float sigma, float s) {
    const float num = s * sigma;
    const float den = 1.0f + (s - 1.0f) * sigma;
    return num / den;
}

}  // namespace

std::string to_string(FlowSolver s) { return s == FlowSolver::Euler ? "euler" : "midpoint"; }

int model_calls(FlowSolver s, int steps) { return s == FlowSolver::Euler ? steps : 2 * steps; }

std::vector<double> official_time_grid(int steps, double shift) {
    check_steps(steps);
    if (!(shift > 0)) throw ConfigError("the time shift must be positive");
    const int64_t n = steps + 1;
    // torch.linspace(0, 1, n) in float32: the first half counts up from 0, the second down from 1.
    const float step = 1.0f / static_cast<float>(n - 1);
    const float s = static_cast<float>(shift);
    std::vector<double> grid(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const float t = i < n / 2 ? step * static_cast<float>(i) : 1.0f - step * static_cast<float>(n - 1 - i);
        const float den = (t + s) - s * t;
        grid[static_cast<size_t>(i)] = static_cast<double>(t / den);
    }
    return grid;
}

std::vector<double> diffusers_pipeline_sigmas(int steps, double shift) {
    check_steps(steps);
    // np.linspace(1.0, 1/N, N) in float64 (i * step + start, exact end), then float32.
    const double start = 1.0, stop = 1.0 / steps;
    const double delta = (stop - start) / std::max(1, steps - 1);
    std::vector<double> sigmas;
    for (int i = 0; i < steps; ++i) {
        const double v = (i == steps - 1 && steps > 1) ? stop : i * delta + start;
        sigmas.push_back(static_cast<double>(shift_sigma_f32(static_cast<float>(v), static_cast<float>(shift))));
    }
    sigmas.push_back(0.0);
    return sigmas;
}

std::vector<double> diffusers_default_sigmas(int steps, double shift, int num_train_timesteps) {
    check_steps(steps);
    // The scheduler's own sigma range: shifted 1 .. 1/num_train_timesteps (float32), then a
    // float64 linspace over timesteps, shifted in float64, stored as float32.
    const float s = static_cast<float>(shift);
    const double sigma_max = shift_sigma_f32(1.0f, s);
    const double sigma_min = shift_sigma_f32(1.0f / static_cast<float>(num_train_timesteps), s);
    const double t0 = sigma_max * num_train_timesteps, t1 = sigma_min * num_train_timesteps;
    const double delta = (t1 - t0) / std::max(1, steps - 1);
    std::vector<double> sigmas;
    for (int i = 0; i < steps; ++i) {
        const double ts = (i == steps - 1 && steps > 1) ? t1 : i * delta + t0;
        const double sigma = ts / num_train_timesteps;
        sigmas.push_back(static_cast<double>(static_cast<float>(shift * sigma / (1.0 + (shift - 1.0) * sigma))));
    }
    sigmas.push_back(0.0);
    return sigmas;
}

std::vector<double> time_grid_from_sigmas(const std::vector<double>& sigmas) {
    std::vector<double> grid;
    grid.reserve(sigmas.size());
    for (double s : sigmas) grid.push_back(static_cast<double>(1.0f - static_cast<float>(s)));
    return grid;
}

torch::Tensor sample_flow(const VelocityFn& f, torch::Tensor x0, const std::vector<double>& grid, FlowSolver solver,
                          const std::function<void(const StepInfo&)>& on_step) {
    if (grid.size() < 2) throw ConfigError("the time grid needs at least two points");
    c10::InferenceMode guard;
    auto x = x0.to(torch::kFloat32);
    const int steps = static_cast<int>(grid.size()) - 1;
    for (int k = 0; k < steps; ++k) {
        const float t0 = static_cast<float>(grid[static_cast<size_t>(k)]);
        const float t1 = static_cast<float>(grid[static_cast<size_t>(k) + 1]);
        const float dt = t1 - t0;
        torch::Tensor dx;
        if (solver == FlowSolver::Euler) {
            dx = f(x, t0).to(torch::kFloat32) * dt;
        } else {
            const float half_dt = 0.5f * dt;
            const auto x_mid = x + f(x, t0).to(torch::kFloat32) * half_dt;
            dx = f(x_mid, static_cast<double>(t0 + half_dt)).to(torch::kFloat32) * dt;
        }
        x = x + dx;
        if (on_step) on_step(StepInfo{k + 1, steps, static_cast<double>(t1), x});
    }
    return x;
}

}  // namespace studio
