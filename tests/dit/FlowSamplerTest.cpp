// Flow sampler: time grids against the sampler/ fixture's tables, full runs with the tiny DiT
// and CFG (tolerance 1e-5 relative on every trajectory state; measured <= 7.1e-7), and pure
// solver logic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <regex>

#include "DitTestSupport.h"
#include "studio/Errors.h"
#include "studio/dit/FlowSampler.h"
#include "studio/dit/NextDiT.h"

using namespace studio;
using namespace studio::test;

namespace {

// The time shift the fixture used, recovered from its official grid: t' = t / (t + s - s t)
// for t = k/N, so s = t (1 - t') / (t' (1 - t)) at any inner point.
double shift_of(const torch::Tensor& grid) {
    const int64_t n = grid.numel() - 1;
    const double t = 1.0 / static_cast<double>(n), tp = grid[1].item<double>();
    const double s = t * (1 - tp) / (tp * (1 - t));
    return std::round(s * 1e4) / 1e4;  // the grid is float32: settings are short decimals
}

torch::Tensor as_tensor(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }

double max_abs_diff(const std::vector<double>& ours, const torch::Tensor& expected) {
    EXPECT_EQ(static_cast<int64_t>(ours.size()), expected.numel());
    if (static_cast<int64_t>(ours.size()) != expected.numel()) return 1e30;
    return (as_tensor(ours) - expected.to(torch::kFloat64)).abs().max().item<double>();
}

class SamplerFixture : public ::testing::Test {
protected:
    void SetUp() override {
        configure_torch_threads();
        STUDIO_REQUIRE_FIXTURE(sampler_dir() / "expected.safetensors");
        in = load_tensors(sampler_dir() / "inputs.safetensors");
        expected = load_tensors(sampler_dir() / "expected.safetensors");
    }
    std::map<std::string, torch::Tensor> in, expected;
};

}  // namespace

TEST_F(SamplerFixture, TimeGridsMatchTheReferenceTables) {
    // The grid sizes the file holds tables for ("official_N<n>__t").
    std::vector<int> sizes;
    const std::regex table(R"(official_N([0-9]+)__t)");
    for (const auto& [key, value] : expected) {
        std::smatch m;
        if (std::regex_match(key, m, table)) sizes.push_back(std::stoi(m[1].str()));
    }
    ASSERT_FALSE(sizes.empty()) << "no official_N*__t tables in sampler/expected.safetensors";
    const double kShift = shift_of(expected["official_N" + std::to_string(sizes[0]) + "__t"]);
    for (int n : sizes) {
        const std::string N = std::to_string(n);
        const auto grid = official_time_grid(n, kShift);
        const double e_grid = max_abs_diff(grid, expected["official_N" + N + "__t"]);
        std::vector<double> sigma;
        for (double t : grid) sigma.push_back(static_cast<double>(1.0f - static_cast<float>(t)));
        const double e_sigma = max_abs_diff(sigma, expected["official_N" + N + "__sigma"]);
        const auto pipe = diffusers_pipeline_sigmas(n, kShift);
        const double e_pipe = max_abs_diff(pipe, expected["diffusers_pipeline_N" + N + "__sigmas"]);
        const auto def = diffusers_default_sigmas(n, kShift);
        const double e_def = max_abs_diff(def, expected["diffusers_default_N" + N + "__sigmas"]);
        std::vector<double> steps(pipe.begin(), pipe.end() - 1);
        for (double& s : steps) s = static_cast<double>(static_cast<float>(s) * 1000.0f);
        const double e_ts = max_abs_diff(steps, expected["diffusers_pipeline_N" + N + "__timesteps"]);
        std::printf("[sampler] N=%d max abs: official t %.1e, sigma %.1e, pipeline sigmas %.1e, timesteps %.1e, "
                    "default sigmas %.1e\n", n, e_grid, e_sigma, e_pipe, e_ts, e_def);
        EXPECT_LE(e_grid, 1e-7);
        EXPECT_LE(e_sigma, 1e-7);
        EXPECT_LE(e_pipe, 1e-7);
        EXPECT_LE(e_ts, 1e-4);
        EXPECT_LE(e_def, 1e-6);
        // The pipeline grid is the official one read backwards; the scheduler's default is not.
        EXPECT_LE(max_abs_diff(time_grid_from_sigmas(pipe), expected["official_N" + N + "__t"]), 5e-7);
        EXPECT_GT(max_abs_diff(time_grid_from_sigmas(def), expected["official_N" + N + "__t"]), 0.1);
    }
}

TEST_F(SamplerFixture, OfficialOdeRunsWithCfg) {
    STUDIO_REQUIRE_FIXTURE(dit_dir() / "transformer" / "config.json");
    auto model = load_dit(transformer_component("transformer"), Numerics::fp32_cpu());
    int listed = 0;
    for (const auto& [key, value] : expected)
        listed += key.size() > 7 && key.compare(key.size() - 7, 7, "__final") == 0 && key.rfind("diffusers_", 0) != 0;
    const std::regex case_re(R"(((euler|midpoint)_cfg([0-9.]+)_(notrunc|trunc([0-9.]+))_renorm([0-9.]+))__final)");
    int cases = 0;
    for (const auto& [key, final_exp] : expected) {
        std::smatch m;
        if (!std::regex_match(key, m, case_re)) continue;
        const std::string name = m[1];
        const auto solver = m[2] == "euler" ? FlowSolver::Euler : FlowSolver::Midpoint;
        const CfgOptions cfg{std::stod(m[3]), m[4] == "notrunc" ? 100.0 : std::stod(m[5]), std::stod(m[6])};
        const auto t_exp = expected[name + "__t_grid"];
        const int steps = static_cast<int>(t_exp.numel()) - 1;
        const double kShift = shift_of(t_exp);
        const auto grid = official_time_grid(steps, kShift);
        EXPECT_LE(max_abs_diff(grid, t_exp), 1e-7) << name;

        std::vector<double> calls;
        std::vector<torch::Tensor> trajectory;
        const auto z0 = in["z0"];
        trajectory.push_back(z0);
        const VelocityFn f = [&](const torch::Tensor& x, double t) {
            calls.push_back(t);
            return forward_with_cfg(model, x, t, in["cap_feats"], in["cap_mask"], in["clip_text_pooled"], cfg);
        };
        const auto x = sample_flow(f, z0.repeat({2, 1, 1, 1}), grid, solver, [&](const StepInfo& s) {
            EXPECT_EQ(s.steps, steps);
            EXPECT_EQ(s.step, static_cast<int>(trajectory.size()));
            EXPECT_DOUBLE_EQ(s.t, grid[static_cast<size_t>(s.step)]);
            EXPECT_TRUE(torch::equal(s.x[0], s.x[1]));  // both halves stay equal
            trajectory.push_back(s.x.narrow(0, 0, 1).clone());
        });
        EXPECT_EQ(static_cast<int>(calls.size()), model_calls(solver, steps));
        const double e_calls = max_abs_diff(calls, expected[name + "__model_call_t"]);
        const double e_final = rel_err(x.narrow(0, 0, 1), final_exp);
        const auto traj_exp = expected[name + "__trajectory"];
        double e_traj = 0;
        ASSERT_EQ(static_cast<int64_t>(trajectory.size()), traj_exp.size(0));
        for (size_t k = 0; k < trajectory.size(); ++k)
            e_traj = std::max(e_traj, rel_err(trajectory[k], traj_exp[static_cast<int64_t>(k)]));
        std::printf("[sampler] %-30s final rel err %.3e, worst trajectory state %.3e, call t max abs %.1e\n",
                    name.c_str(), e_final, e_traj, e_calls);
        EXPECT_LE(e_calls, 1e-7) << name;
        EXPECT_LE(e_final, 1e-5) << name;  // measured <= 7.1e-7
        EXPECT_LE(e_traj, 1e-5) << name;
        ++cases;
    }
    EXPECT_GT(cases, 0);
    EXPECT_EQ(cases, listed) << "__final cases in expected.safetensors that no pattern matched";

    // The diffusers way (sigma table of the pipelines, model time 1 - sigma) lands on the same result.
    // Its cfg scale is in its name, like the cases above.
    double scale = 0;
    for (const auto& [key, value] : expected) {
        std::smatch m;
        if (std::regex_match(key, m, std::regex(R"(diffusers_scheduler_euler_cfg([0-9.]+)_notrunc__final)")))
            scale = std::stod(m[1].str());
    }
    ASSERT_GT(scale, 0) << "no diffusers_scheduler_euler_cfg*_notrunc__final";
    const CfgOptions cfg{scale, 100.0, 0.0};
    const auto f = [&](const torch::Tensor& x, double t) {
        return forward_with_cfg(model, x, t, in["cap_feats"], in["cap_mask"], in["clip_text_pooled"], cfg);
    };
    const int n = static_cast<int>(expected["euler_cfg4_notrunc_renorm0__t_grid"].numel()) - 1;
    const double kShift = shift_of(expected["euler_cfg4_notrunc_renorm0__t_grid"]);
    const auto grid = time_grid_from_sigmas(diffusers_pipeline_sigmas(n, kShift));
    const auto x = sample_flow(f, in["z0"].repeat({2, 1, 1, 1}), grid, FlowSolver::Euler);
    const double err = rel_err(x.narrow(0, 0, 1), expected["diffusers_scheduler_euler_cfg4_notrunc__final"]);
    std::printf("[sampler] diffusers-scheduler euler final rel err %.3e\n", err);
    EXPECT_LE(err, 1e-5);  // measured 5.8e-7
}

TEST(FlowSampler, SolversIntegrateSimpleFields) {
    const auto x0 = torch::full({1, 2}, 0.5f);
    const auto grid = official_time_grid(5, 3.0);
    EXPECT_DOUBLE_EQ(grid.front(), 0.0);
    EXPECT_DOUBLE_EQ(grid.back(), 1.0);
    for (size_t i = 1; i < grid.size(); ++i) EXPECT_GT(grid[i], grid[i - 1]);
    // Constant velocity: both solvers land at x0 + v.
    const VelocityFn constant = [](const torch::Tensor& x, double) { return torch::full_like(x, 2.0); };
    for (auto s : {FlowSolver::Euler, FlowSolver::Midpoint})
        EXPECT_NEAR(sample_flow(constant, x0, grid, s)[0][0].item<float>(), 2.5f, 1e-6);
    // v = 2t: midpoint is exact (x0 + 1), Euler undershoots on an increasing field.
    const VelocityFn linear = [](const torch::Tensor& x, double t) { return torch::full_like(x, 2.0 * t); };
    EXPECT_NEAR(sample_flow(linear, x0, grid, FlowSolver::Midpoint)[0][1].item<float>(), 1.5f, 1e-6);
    EXPECT_LT(sample_flow(linear, x0, grid, FlowSolver::Euler)[0][1].item<float>(), 1.45f);
    // The state is fp32 whatever the input dtype.
    EXPECT_EQ(sample_flow(constant, x0.to(torch::kFloat64), grid, FlowSolver::Euler).scalar_type(), torch::kFloat32);
}

TEST(FlowSampler, StepCallbackCanCancel) {
    int calls = 0;
    const VelocityFn f = [&](const torch::Tensor& x, double) {
        ++calls;
        return torch::zeros_like(x);
    };
    const auto grid = official_time_grid(10, 6.0);
    EXPECT_THROW(sample_flow(f, torch::zeros({1}), grid, FlowSolver::Midpoint,
                             [](const StepInfo& s) {
                                 if (s.step == 3) throw CancelledError();
                             }),
                 CancelledError);
    EXPECT_EQ(calls, 6);  // three midpoint steps, then stopped
    EXPECT_EQ(model_calls(FlowSolver::Euler, 10), 10);
}

TEST(FlowSampler, BadGridsAreRejected) {
    const VelocityFn f = [](const torch::Tensor& x, double) { return x; };
    EXPECT_THROW(sample_flow(f, torch::zeros({1}), {0.0}, FlowSolver::Euler), ConfigError);
    EXPECT_THROW(official_time_grid(0, 6.0), ConfigError);
    EXPECT_THROW(official_time_grid(4, 0.0), ConfigError);
    EXPECT_THROW(diffusers_pipeline_sigmas(0, 6.0), ConfigError);
}
