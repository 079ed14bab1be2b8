#include "PipelineBackend.h"

#include <memory>
#include <mutex>

#include "studio/Generation.h"

namespace studio::app {

ui::GenerationRunner make_pipeline_runner() {
    auto pipeline = std::make_shared<Pipeline>();
    return [pipeline](const GenerationParams& params, const JobCallbacks& callbacks, const CancelToken& cancel) {
        return pipeline->run(params, callbacks, cancel);
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

bool cuda_available() { return Pipeline::cuda_available(); }

}  // namespace studio::app
