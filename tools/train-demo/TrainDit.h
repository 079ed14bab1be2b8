#pragma once
// Training side of the Next-DiT: initial weights as the reference initialises them, and a
// forward pass with autograd (NextDiT::forward runs under InferenceMode). It reuses the
// module's own blocks and repeats the sequence assembly of NextDiT.cpp with gathers instead of
// per-sample copies; tests/demo checks that both give the same velocity.
#include <torch/torch.h>

#include "studio/Numerics.h"
#include "studio/dit/NextDiT.h"

namespace studio::demo {

// Xavier-uniform linears, N(0, 0.02) timestep MLP and caption embedder, zero adaLN modulation and
// final layer (every block starts as the identity), norms at 1. Deterministic for a seed.
void init_dit_weights(NextDiTImpl& model, uint64_t seed);

// Same contract as NextDiTImpl::forward (x [B,C,H,W], t [B], cap_feats [B,L,D], cap_mask [B,L],
// clip_pooled [B,P]) -> velocity [B,C,H,W], differentiable.
torch::Tensor dit_training_forward(NextDiTImpl& model, const torch::Tensor& x, const torch::Tensor& t,
                                   const torch::Tensor& cap_feats, const torch::Tensor& cap_mask,
                                   const torch::Tensor& clip_pooled);

// Rectified-flow training time of architecture.md 5.1: t = sigmoid(N(0,1)), then the resolution
// shift with mu = 0.5 .. 1.15 over 256 .. 4096 image tokens (t = 0 noise, t = 1 data).
torch::Tensor sample_training_time(int64_t batch, int64_t image_tokens, const torch::Device& device);

}  // namespace studio::demo
