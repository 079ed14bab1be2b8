#include "PipelineBackend.h"

#include <memory>
#include <mutex>

#include "studio/Divergence.h"
#include "studio/Generation.h"
#include "studio/SweepRunner.h"

namespace studio::app {

ui::GenerationRunner make_pipeline_runner(const std::string& inject) {
    auto pipeline = std::make_shared<Pipeline>();
    return [pipeline, inject](const GenerationParams& asked, const JobCallbacks& callbacks, const CancelToken& cancel) {
        GenerationParams params = asked;
        if (!inject.empty()) params.inject = inject;
        // Every run keeps its trajectory so any two shown runs can be compared step by step.
        JobCallbacks recorded = callbacks;
        auto trajectory = std::make_shared<StepTrajectory>();
        record_trajectory(recorded, trajectory);
        RunResult result = pipeline->run(params, recorded, cancel);
        result.trajectory = trajectory;
        return result;
    };
}

ui::TokenCounter make_token_counter() {
    struct Counter {
        std::mutex mutex;
        Pipeline pipeline;
    };
    auto counter = std::make_shared<Counter>();
    return [counter](const std::string& model_dir, const std::string& prompt) {
        std::lock_guard<std::mutex> lock(counter->mutex);
        return counter->pipeline.count_tokens(model_dir, prompt, SystemPromptMode::Training);
    };
}

ui::SweepRunFn make_sweep_runner() {
    return [](const SweepRequest& request, const SweepCallbacks& callbacks, const CancelToken& cancel) {
        Pipeline pipeline;
        return run_sweep(pipeline, request, SweepResults{}, callbacks, cancel);
    };
}

bool cuda_available() { return Pipeline::cuda_available(); }

}  // namespace studio::app
