#pragma once
// Per-job plumbing shared by the pipeline and its front ends: cancellation and progress.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "studio/Errors.h"

namespace at {
class Tensor;  // only referenced: this header stays torch-free
}

namespace studio {

// Lock-free cancel flag, checked between steps and between modules.
class CancelToken {
public:
    void cancel() { m_flag->store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_flag->load(std::memory_order_relaxed); }
    void throw_if_cancelled() const {
        if (cancelled()) throw CancelledError();
    }
    void reset() { m_flag->store(false); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag = std::make_shared<std::atomic<bool>>(false);
};

struct ProgressInfo {
    std::string stage;   // "load", "encode", "sample", "decode", ...
    int step{0};         // denoising step (1-based) during "sample", else 0
    int steps{0};
    double elapsed_s{0}; // since the job started
    double eta_s{-1};    // estimated seconds left (-1 = unknown)
};

// A small RGB preview (8-bit, row-major) of the current latent.
struct PreviewImage {
    int width{0}, height{0};
    std::vector<unsigned char> rgb;
};

struct JobCallbacks {
    std::function<void(const ProgressInfo&)> on_progress;
    std::function<void(const PreviewImage&)> on_preview;  // optional; costs a little per step
    // Optional observer of the sampler: after each step (1-based) the new latent and the velocity
    // that produced it (the guided one under CFG), both [1, C, h, w] fp32 on the run's device.
    // Used to record trajectories for divergence plots; nothing is kept or copied when unset.
    std::function<void(int step, const at::Tensor& latent, const at::Tensor& velocity)> on_step_state;
};

}  // namespace studio
