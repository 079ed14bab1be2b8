#pragma once
// The app's generation backend: one Pipeline owned by the worker thread (models stay loaded
// between jobs) and a second, tokenizer-only one for the prompt's token count.
#include "studio/ui/GenerationWorker.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/SweepPanel.h"

namespace studio::app {

// Runs jobs on a Pipeline that lives as long as the returned runner. `inject` (a diagnostic fault
// spec, "" = none) is applied to every run, as precision-cli --inject does.
ui::GenerationRunner make_pipeline_runner(const std::string& inject = {});
// Counts tokens with its own Pipeline (only tokenizers get loaded); serialised by a mutex
// because the token counter runs on a thread pool.
ui::TokenCounter make_token_counter();
// Runs each sweep on a Pipeline of its own (models are released between configurations anyway).
ui::SweepRunFn make_sweep_runner();
bool cuda_available();

}  // namespace studio::app
