#include "studio/dit/DitRope.h"

#include <cmath>

namespace studio {

RopeTables rope_tables(const torch::Tensor& ids, const std::vector<int64_t>& axes_dims, double theta,
                       const torch::Tensor& valid, bool complex_table) {
    TORCH_CHECK(ids.dim() == 3 && ids.size(2) == static_cast<int64_t>(axes_dims.size()), "rope ids must be [B, S, axes]");
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(ids.device());
    std::vector<torch::Tensor> angles;
    for (size_t a = 0; a < axes_dims.size(); ++a) {
        const int64_t d = axes_dims[a];
        std::vector<double> freqs(static_cast<size_t>(d / 2));
        for (int64_t k = 0; k < d / 2; ++k)
            freqs[static_cast<size_t>(k)] = 1.0 / std::pow(theta, static_cast<double>(2 * k) / static_cast<double>(d));
        const auto f = torch::tensor(freqs, torch::kFloat64).to(ids.device());
        const auto pos = ids.select(2, static_cast<int64_t>(a)).to(f64).unsqueeze(-1);  // [B, S, 1]
        angles.push_back((pos * f).to(torch::kFloat32));
    }
    auto angle = torch::cat(angles, -1);  // [B, S, head_dim/2]
    RopeTables t{angle.cos(), angle.sin()};
    if (valid.defined()) {
        const auto keep = valid.to(ids.device(), torch::kFloat32).unsqueeze(-1);
        t.cos = t.cos * keep;
        t.sin = t.sin * keep;
    }
    t.cos = t.cos.unsqueeze(2).contiguous();
    t.sin = t.sin.unsqueeze(2).contiguous();
    if (complex_table) t.freqs = torch::complex(t.cos, t.sin);
    return t;
}

torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& rope, const Numerics& nx) {
    auto sizes = x.sizes().vec();
    sizes.back() /= 2;
    sizes.push_back(2);
    if (nx.fast_kernels && rope.freqs.defined()) {
        // The same complex product in one kernel (plus the casts) instead of eight passes.
        const auto xc = torch::view_as_complex(x.to(torch::kFloat32).contiguous().reshape(sizes));
        return torch::view_as_real(xc * rope.freqs).reshape(x.sizes()).to(x.scalar_type());
    }
    const auto pairs = x.to(torch::kFloat32).reshape(sizes);
    const auto re = pairs.select(-1, 0), im = pairs.select(-1, 1);
    const auto out_re = re * rope.cos - im * rope.sin;
    const auto out_im = re * rope.sin + im * rope.cos;
    return nx.q(torch::stack({out_re, out_im}, -1).reshape(x.sizes()).to(x.scalar_type()));
}

}  // namespace studio
