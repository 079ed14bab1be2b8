#pragma once
// 3-axis rotary position embedding of Next-DiT: per axis a, angle = pos_a * theta^(-2k/d_a)
// (computed in float64, then float32 like the reference's precomputed table), the axes'
// angles concatenated, applied to interleaved pairs (x[2i], x[2i+1]) as a complex product.
#include <torch/torch.h>

#include <vector>

#include "studio/Numerics.h"

namespace studio {

struct RopeTables {
    torch::Tensor cos;  // [B, S, 1, head_dim/2] float32
    torch::Tensor sin;
    torch::Tensor freqs;  // complex64 cos + i sin, [B, S, 1, head_dim/2]; only for the fast kernels
};

// `ids` [B, S, 3] integer positions. Rows where `valid` [B, S] is false get cos = sin = 0: the
// reference gives padded caption rows zero frequencies (their q/k vanish).
RopeTables rope_tables(const torch::Tensor& ids, const std::vector<int64_t>& axes_dims, double theta,
                       const torch::Tensor& valid = {}, bool complex_table = false);

// x [B, S, H, D]: rotated in float32, cast back to x's dtype and rounded for `nx`.
torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& rope, const Numerics& nx);

}  // namespace studio
