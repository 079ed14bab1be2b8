#include "StageCommon.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "studio/Errors.h"
#include "studio/Json.h"

namespace fs = std::filesystem;

namespace studio::demo {

DemoModelConfig load_or_create_config(const std::string& checkpoints, const std::string& preset) {
    const fs::path path = fs::path(checkpoints) / "configs.json";
    if (fs::exists(path)) {
        auto c = DemoModelConfig::from_json(read_json_file(path.string()), path.string());
        if (!preset.empty() && c.preset != preset)
            spdlog::warn("{} holds the '{}' preset; --preset {} is ignored", path.string(), c.preset, preset);
        return c;
    }
    std::error_code ec;
    fs::create_directories(checkpoints, ec);
    if (ec) throw ExportError("cannot create the checkpoint folder '" + checkpoints + "': " + ec.message());
    auto c = DemoModelConfig::preset_config(preset.empty() ? "demo" : preset);
    write_json_file(path.string(), c.to_json());
    return c;
}

StagePaths stage_paths(const std::string& checkpoints, const std::string& stage) {
    const fs::path d = checkpoints;
    return {(d / (stage + ".safetensors")).string(), (d / (stage + ".optim.safetensors")).string(),
            (d / (stage + ".json")).string(), (d / (stage + "_loss.csv")).string()};
}

int worker_count(int requested) {
    if (requested > 0) return requested;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, cores - 2);
}

void configure_training_device(const TrainOptions& o) {
    if (o.device.is_cuda()) {
        at::set_num_threads(o.threads > 0 ? o.threads : 2);  // the cores render; the GPU computes
        auto& ctx = at::globalContext();
        ctx.setAllowTF32CuBLAS(o.tf32);
        ctx.setAllowTF32CuDNN(o.tf32);
        ctx.setBenchmarkCuDNN(true);
    } else {
        at::set_num_threads(o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    }
}

double plan_progress(int64_t step, double train_seconds, const TrainOptions& o) {
    double p = 0;
    if (o.plan_steps > 0) p = std::max(p, static_cast<double>(step) / static_cast<double>(o.plan_steps));
    if (o.plan_seconds > 0) p = std::max(p, train_seconds / o.plan_seconds);
    return p;
}

bool plan_done(int64_t step, double train_seconds, const TrainOptions& o) {
    return (o.plan_steps > 0 || o.plan_seconds > 0) && plan_progress(step, train_seconds, o) >= 1.0;
}

int64_t warmup_steps(const TrainOptions& o, int64_t steps) {
    return o.plan_steps > 0 ? std::min(steps, std::max<int64_t>(1, o.plan_steps / 10)) : steps;
}

bool budget_allows(const Stopwatch& wall, double step_seconds, double reserve, const TrainOptions& o) {
    return o.seconds <= 0 || wall.seconds() + step_seconds + reserve < o.seconds;
}

void synchronize(const torch::Device& device) {
    if (device.is_cuda()) torch::cuda::synchronize();
}

double StepWindow::add(const Stopwatch& sw, bool logged, int64_t batch) {
    m_trained += sw.seconds();
    ++m_steps;
    if (!logged) return 0.0;
    const double span = m_trained - m_start;
    const double rate = static_cast<double>(m_steps * batch) / std::max(1e-9, span);
    m_step_seconds = span / static_cast<double>(m_steps);
    m_start = m_trained;
    m_steps = 0;
    return rate;
}

StageResult finish_stage(const std::string& stage, StageResult result, int64_t step, double train_seconds,
                         const TrainOptions& options) {
    result.steps = step;
    result.train_seconds = train_seconds;
    result.complete = plan_done(step, train_seconds, options);
    spdlog::info("{}: stopped at step {} ({:.0f} s trained, plan {})", stage, step, train_seconds,
                 result.complete ? "done" : "not done");
    return result;
}

}  // namespace studio::demo
