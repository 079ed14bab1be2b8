#pragma once
// How training starts: initial weights as the references initialise them, the training-time
// distribution, and the checkpoint key prefixes of the exported text encoders. The forwards
// are the pipeline's own modules (core/models), trained with autograd.
#include <torch/torch.h>

#include "studio/dit/NextDiT.h"

namespace studio::demo {

// Hub key prefixes of the text models inside their checkpoints.
inline constexpr const char* kGemmaPrefix = "language_model.model.";  // Gemma3ForConditionalGeneration
inline constexpr const char* kJinaPrefix = "text_model.transformer.roberta.";

// N(0, 0.02) matrices and embeddings (as transformers initialises), Gemma's (1 + w) norms at
// w = 0, LayerNorms at 1 / 0, biases 0. Deterministic for a seed.
void init_text_weights(torch::nn::Module& module, bool one_plus_norms, uint64_t seed);

// Xavier-uniform linears, N(0, 0.02) timestep MLP and caption embedder, zero adaLN modulation and
// final layer (every block starts as the identity), norms at 1. Deterministic for a seed.
void init_dit_weights(NextDiTImpl& model, uint64_t seed);

// Rectified-flow training time of architecture.md 5.1: t = sigmoid(N(0,1)), then the resolution
// shift with mu = 0.5 .. 1.15 over 256 .. 4096 image tokens (t = 0 noise, t = 1 data).
torch::Tensor sample_training_time(int64_t batch, int64_t image_tokens, const torch::Device& device);

}  // namespace studio::demo
