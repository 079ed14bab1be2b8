#pragma once
// Pieces every training stage uses: AdamW with inspectable state, named-tensor checkpoints
// (safetensors + a JSON state file, portable across machines and libtorch versions), the
// learning-rate schedule and the CSV loss log.
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace studio::demo {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Parameters of `module` under `prefix` + their module paths (the checkpoint keys).
NamedTensors named_parameters(torch::nn::Module& module, const std::string& prefix = "");

class AdamW {
public:
    AdamW(NamedTensors params, double weight_decay, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8);
    // Scales every gradient so their global norm is at most `max_norm`; returns the norm
    // before clipping as a 0-d tensor (no host sync).
    torch::Tensor clip_grad_norm(double max_norm);
    void step(double lr);
    void zero_grad();
    const NamedTensors& params() const { return m_params; }
    // Moments as "m.<name>" / "v.<name>", and the step count for bias correction.
    NamedTensors state() const;
    void load_state(const std::map<std::string, torch::Tensor>& state, int64_t steps);
    int64_t steps() const { return m_steps; }

private:
    NamedTensors m_params;
    std::vector<torch::Tensor> m_m, m_v;
    std::vector<bool> m_decay;
    double m_wd, m_b1, m_b2, m_eps;
    int64_t m_steps{0};
};

// Writes fp32 copies on the CPU (temp file + rename). Throws ExportError.
void save_tensors(const std::string& path, const NamedTensors& tensors);
// Every tensor of a safetensors file, copied into memory. Throws ModelLoadError.
std::map<std::string, torch::Tensor> load_tensors(const std::string& path);
// Copies values into `params` by name; throws ModelLoadError naming the missing/mismatched key.
void assign_parameters(const NamedTensors& params, const std::map<std::string, torch::Tensor>& values,
                       const std::string& origin);

// JSON state of a stage (step, training seconds, completion, ...); empty object when absent.
nlohmann::json read_state(const std::string& path);
void write_state(const std::string& path, const nlohmann::json& state);

// Warm-up, flat, then a cosine decay to `floor` over the last `decay_fraction` of the plan.
// `progress` in [0, 1] = the larger of steps / plan_steps and seconds / plan_seconds.
double scheduled_lr(double base, int64_t step, int64_t warmup_steps, double progress, double decay_fraction = 0.3,
                    double floor = 0.05);

// Appends rows to <path> (header written once).
class CsvLog {
public:
    CsvLog(const std::string& path, const std::vector<std::string>& columns);
    void row(const std::vector<double>& values);

private:
    std::ofstream m_out;
};

class Stopwatch {
public:
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count(); }

private:
    std::chrono::steady_clock::time_point m_t0 = std::chrono::steady_clock::now();
};

}  // namespace studio::demo
