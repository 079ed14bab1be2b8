#include "studio/Errors.h"
#include "studio/dit/NextDiT.h"

namespace studio {

torch::Tensor forward_with_cfg(NextDiT& model, const torch::Tensor& x, double t, const torch::Tensor& cap_feats,
                               const torch::Tensor& cap_mask, const torch::Tensor& clip_pooled, const CfgOptions& cfg) {
    c10::InferenceMode guard;
    if (!x.defined() || x.dim() < 1 || x.size(0) % 2 != 0)
        throw StudioError("classifier-free guidance needs a [cond, uncond] batch of even size");
    const int64_t half = x.size(0) / 2;
    // The reference compares float32 model time with the threshold in float32.
    const float tf = static_cast<float>(t);
    torch::Tensor guided;
    if (tf < static_cast<float>(cfg.trunc)) {
        const auto out = model->forward(x, torch::full({x.size(0)}, tf), cap_feats, cap_mask, clip_pooled).to(torch::kFloat32);
        const auto cond = out.narrow(0, 0, half), uncond = out.narrow(0, half, half);
        guided = uncond + cfg.scale * (cond - uncond);
        if (cfg.renorm > 0.0) {
            std::vector<int64_t> dims;
            for (int64_t d = 1; d < out.dim(); ++d) dims.push_back(d);
            const auto max_norm = at::linalg_vector_norm(cond, 2, dims, true) * cfg.renorm;
            const auto norm = at::linalg_vector_norm(guided, 2, dims, true);
            guided = torch::where(norm >= max_norm, guided * (max_norm / norm), guided);
        }
    } else {
        // Past the truncation point only the conditional half is evaluated.
        const auto first = [&](const torch::Tensor& v) { return v.defined() ? v.narrow(0, 0, half) : v; };
        guided = model->forward(first(x), torch::full({half}, tf), first(cap_feats), first(cap_mask), first(clip_pooled))
                     .to(torch::kFloat32);
    }
    return torch::cat({guided, guided}, 0);
}

}  // namespace studio
