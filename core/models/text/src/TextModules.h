#pragma once
// Building blocks shared by the text encoders: parameter holders named like the checkpoint's
// modules (so weights load by name), rotate-half RoPE, LayerNorm, input checks.
#include <torch/torch.h>

#include <cmath>

#include <memory>
#include <string>
#include <vector>

#include "studio/Numerics.h"
#include "studio/Trace.h"

namespace studio::text_detail {

// Owns "weight" and optionally "bias" so that "<path>.weight" / "<path>.bias" load by name.
// Parameters start uninitialised: the loader replaces them, and untouched pages cost nothing.
class ParamsImpl : public torch::nn::Module {
public:
    ParamsImpl(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape,
               const torch::TensorOptions& options);
    torch::Tensor weight;
    torch::Tensor bias;  // undefined when the layer has none
};
TORCH_MODULE(Params);

Params make_params(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape,
                   const Numerics& nx);
// A named, parameter-less module that only groups children ("encoder", "mixer", ...).
std::shared_ptr<torch::nn::Module> make_group();

// nx.q(x W^T + b).
torch::Tensor linear(const torch::Tensor& x, const Params& p, const Numerics& nx);
// LayerNorm over the last dim with statistics in fp32, rounded to the module's dtype.
torch::Tensor layer_norm(const torch::Tensor& x, const Params& p, double eps, const Numerics& nx);

// cos/sin [L, dim] of rotate-half RoPE, inv_freq = 1 / theta^(2i/dim) / factor. Angles are
// computed in fp32 like the references (so they agree bit for bit), then cast to the
// activation dtype as the references do before applying them.
struct RopeTables {
    torch::Tensor cos;
    torch::Tensor sin;
};
RopeTables rope_tables(int64_t length, int64_t dim, double theta, double factor, const Numerics& nx);
// x [B,H,L,D]: x*cos + rotate_half(x)*sin (each product rounded when emulating).
torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& t, const Numerics& nx);

// Checks ids [B,L] (integer, inside the vocabulary) and returns them as int64 on `device`.
// Throws TokenizerError naming `model`.
torch::Tensor checked_ids(const torch::Tensor& ids, int64_t vocab_size, const torch::Device& device,
                          const std::string& model);

// Seeded fp32 N(0, stddev²) tensors for the random test / benchmark weights: one CPU generator,
// so a seed gives the same weights on every machine.
class SeededNormal {
public:
    explicit SeededNormal(uint64_t seed);
    torch::Tensor operator()(const std::vector<int64_t>& shape, double stddev);
    static double fan_in(int64_t n) { return 1.0 / std::sqrt(static_cast<double>(n)); }

private:
    at::Generator m_gen;
};

}  // namespace studio::text_detail
