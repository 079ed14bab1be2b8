#pragma once
// Training batches rendered on the fly by background threads. Batch s is a pure function of
// (seed, s): the same scenes, prompts and caption drops on every machine and after a resume.
#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "DemoCorpus.h"
#include "studio/demo/CharacterAttributes.h"

namespace studio::demo {

struct DataOptions {
    uint64_t seed{1};
    int batch{32};
    int image_size{256};
    int workers{1};
    int prefetch{0};                      // batches rendered ahead (0 = 2 per worker)
    double two_character_fraction{0.2};
    double omit_probability{0.1};         // optional prompt fields left out
    double caption_dropout{0.0};          // prompt -> "" for both encoders (the CFG branch)
    TokenizerFiles tokenizers;            // tokenised in the workers when set
};

struct DemoBatch {
    int64_t step{0};
    torch::Tensor images;                 // uint8 [B, H, W, 3]
    std::vector<Scene> scenes;
    std::vector<std::string> prompts;     // "" where the caption was dropped
    torch::Tensor gemma_ids, gemma_mask;  // int64 [B, L] (system prompt + BOS, right-padded)
    torch::Tensor jina_ids;               // int64 [B, Lj] (<s> ... </s>, padded with 1)
};

// The scene seed of sample `index` of batch `step`.
uint64_t sample_seed(uint64_t seed, int64_t step, int index);

// Renders one batch in the calling thread.
DemoBatch make_batch(const DataOptions& options, int64_t step, const TextTokenizers* tokenizers);

// Float [B, 3, H, W] in [-1, 1] on `device` from uint8 HWC.
torch::Tensor images_to_tensor(const torch::Tensor& images_u8, const torch::Device& device);

class BatchSource {
public:
    BatchSource(DataOptions options, int64_t first_step);
    ~BatchSource();
    BatchSource(const BatchSource&) = delete;
    BatchSource& operator=(const BatchSource&) = delete;

    // The next batch in step order; rethrows a worker's error.
    DemoBatch next();

private:
    void work();

    DataOptions m_options;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<int64_t, DemoBatch> m_ready;
    int64_t m_next_claim;
    int64_t m_next_return;
    bool m_stop{false};
    std::string m_error;
    std::vector<std::thread> m_threads;
};

}  // namespace studio::demo
