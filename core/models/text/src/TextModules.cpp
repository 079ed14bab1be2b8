#include "TextModules.h"

#include <ATen/CPUGeneratorImpl.h>

#include "studio/Errors.h"
#include "studio/Trace.h"

namespace studio::text_detail {

ParamsImpl::ParamsImpl(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape,
                       const torch::TensorOptions& options) {
    weight = register_parameter("weight", torch::empty(weight_shape, options), /*requires_grad=*/false);
    if (!bias_shape.empty()) bias = register_parameter("bias", torch::empty(bias_shape, options), false);
}

Params make_params(const std::vector<int64_t>& weight_shape, const std::vector<int64_t>& bias_shape,
                   const Numerics& nx) {
    // Allocated on the CPU: the loader moves each tensor to nx.device when it replaces it.
    return Params(weight_shape, bias_shape, torch::TensorOptions().dtype(nx.compute()));
}

std::shared_ptr<torch::nn::Module> make_group() { return std::make_shared<torch::nn::Module>(); }

torch::Tensor linear(const torch::Tensor& x, const Params& p, const Numerics& nx) {
    return trace(*p, SiteKind::Linear, nx.q(torch::linear(x, p->weight, p->bias)), p->weight, x);
}

torch::Tensor layer_norm(const torch::Tensor& x, const Params& p, double eps, const Numerics& nx) {
    const auto w = p->weight.to(torch::kFloat32);
    const auto b = p->bias.defined() ? p->bias.to(torch::kFloat32) : torch::Tensor();
    const auto y = torch::layer_norm(x.to(torch::kFloat32), {x.size(-1)}, w, b, eps);
    return trace(*p, SiteKind::Norm, nx.q(y.to(x.scalar_type())), p->weight, x);
}

RopeTables rope_tables(int64_t length, int64_t dim, double theta, double factor, const Numerics& nx) {
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(nx.device);
    const auto exponent = torch::arange(0, dim, 2, f32.dtype(torch::kInt64)).to(torch::kFloat32) / static_cast<double>(dim);
    auto inv_freq = 1.0 / torch::pow(theta, exponent);
    if (factor != 1.0) inv_freq = inv_freq / factor;
    const auto positions = torch::arange(length, f32);
    const auto freqs = torch::outer(positions, inv_freq);
    const auto emb = torch::cat({freqs, freqs}, -1);
    return {nx.q(emb.cos().to(nx.compute())), nx.q(emb.sin().to(nx.compute()))};
}

torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& t, const Numerics& nx) {
    const int64_t half = x.size(-1) / 2;
    const auto rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
    return nx.q(nx.q(x * t.cos) + nx.q(rotated * t.sin));
}

torch::Tensor checked_ids(const torch::Tensor& ids, int64_t vocab_size, const torch::Device& device,
                          const std::string& model) {
    if (!ids.defined() || ids.dim() != 2)
        throw TokenizerError(model + ": token ids must be a [batch, length] tensor");
    if (ids.is_floating_point() || ids.is_complex() || ids.scalar_type() == torch::kBool)
        throw TokenizerError(model + ": token ids must be integers");
    if (ids.size(0) == 0 || ids.size(1) == 0) throw TokenizerError(model + ": empty token id tensor");
    const auto lo = ids.min().item<int64_t>();
    const auto hi = ids.max().item<int64_t>();
    if (lo < 0 || hi >= vocab_size)
        throw TokenizerError(model + ": token id " + std::to_string(lo < 0 ? lo : hi) +
                             " is outside the vocabulary (size " + std::to_string(vocab_size) + ")");
    return ids.to(device, torch::kInt64);
}

SeededNormal::SeededNormal(uint64_t seed) : m_gen(at::detail::createCPUGenerator(seed)) {}

torch::Tensor SeededNormal::operator()(const std::vector<int64_t>& shape, double stddev) {
    return torch::randn(shape, m_gen, torch::TensorOptions().dtype(torch::kFloat32)) * stddev;
}

}  // namespace studio::text_detail
