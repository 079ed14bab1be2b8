#include "TrainInit.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

namespace studio::demo {

namespace {
bool ends_with(const std::string& s, const std::string& e) {
    return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
}  // namespace

void init_text_weights(torch::nn::Module& module, bool one_plus_norms, uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& item : module.named_parameters(true)) {
        auto& p = item.value();
        const std::string& name = item.key();
        const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        torch::Tensor v;
        if (p.dim() >= 2) v = torch::randn(p.sizes(), gen, torch::kFloat32) * 0.02;
        else if (is_bias || one_plus_norms) v = torch::zeros(p.sizes());
        else v = torch::ones(p.sizes());
        p.copy_(v.to(p.device(), p.scalar_type()));
    }
}

void init_dit_weights(NextDiTImpl& model, uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& item : model.named_parameters(true)) {
        const std::string& name = item.key();
        auto& p = item.value();
        torch::Tensor v;
        const bool zero = name.find("adaLN_modulation") != std::string::npos || starts_with(name, "final_layer.linear.");
        if (zero || ends_with(name, ".bias")) {
            v = torch::zeros(p.sizes());
        } else if (p.dim() == 1) {
            v = torch::ones(p.sizes());  // RMSNorm weights
        } else if (starts_with(name, "t_embedder.") || starts_with(name, "cap_embedder.")) {
            v = torch::randn(p.sizes(), gen, torch::kFloat32) * 0.02;
        } else {
            const double bound = std::sqrt(6.0 / static_cast<double>(p.size(0) + p.size(1)));
            v = (torch::rand(p.sizes(), gen, torch::kFloat32) * 2 - 1) * bound;
        }
        p.copy_(v.to(p.device(), p.scalar_type()));
    }
}

torch::Tensor sample_training_time(int64_t batch, int64_t image_tokens, const torch::Device& device) {
    const double frac = std::clamp((static_cast<double>(image_tokens) - 256.0) / (4096.0 - 256.0), 0.0, 1.0);
    const double mu = 0.5 + (1.15 - 0.5) * frac;
    const auto u = torch::sigmoid(torch::randn({batch}, torch::TensorOptions().device(device)));
    // sigma = 1 - u shifted like SD3 with s = e^mu; t = 1 - sigma'.
    const auto sigma = 1.0 - u;
    const double s = std::exp(mu);
    return 1.0 - (s * sigma) / (1.0 + (s - 1.0) * sigma);
}

}  // namespace studio::demo
