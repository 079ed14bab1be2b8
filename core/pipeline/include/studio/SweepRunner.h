#pragma once
// Runs a precision sweep through one Pipeline (models are released between configurations so each
// configuration's peak memory is its own). Rows are reported as they finish, so front ends can
// write them out incrementally; a resumed sweep skips the rows it already has. Torch-free header.
#include <functional>

#include "studio/Generation.h"
#include "studio/Sweep.h"

namespace studio {

struct SweepRequest {
    GenerationParams base;            // model, size, steps, CFG, sampler, device... (prompt and seed replaced)
    SweepSettings settings;           // prompts, seeds, runs, samples (copied into the results)
    std::vector<SweepConfig> configs; // the reference (all fp32) first
    double threshold{1.0 / 255};
};

struct SweepProgress {
    int done{0}, total{0};            // images (seed runs and accuracy samples)
    double elapsed_s{0}, eta_s{-1};
    std::string config;               // the configuration running now
    std::string what;                 // "seed 2, run 1/3", "sample 7/40"
};

struct SweepCallbacks {
    std::function<void(const SweepProgress&)> on_progress;
    // After each finished row or accuracy block, with everything so far (write files here).
    std::function<void(const SweepResults&)> on_update;
    // Every configuration's first run per prompt and seed, image, report and trajectory (for the
    // studio's cache: a row opens as a compare without running again); optional.
    std::function<void(const SweepRow&, const RunResult&)> on_run;
};

// Throws StudioError subclasses; CancelledError on cancel (rows finished so far were reported).
SweepResults run_sweep(Pipeline& pipeline, const SweepRequest& request, const SweepResults& resume_from,
                       const SweepCallbacks& callbacks, const CancelToken& cancel);

}  // namespace studio
