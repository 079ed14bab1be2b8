// The torch half of Divergence.h: copies each sampler step off the device.
#include <torch/torch.h>

#include "studio/Divergence.h"

namespace studio {

namespace {
std::vector<float> to_floats(const at::Tensor& t) {
    if (!t.defined()) return {};
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
}  // namespace

void record_trajectory(JobCallbacks& callbacks, std::shared_ptr<StepTrajectory> into) {
    auto previous = callbacks.on_step_state;
    callbacks.on_step_state = [previous, into](int step, const at::Tensor& latent, const at::Tensor& velocity) {
        if (previous) previous(step, latent, velocity);
        into->latents.push_back(to_floats(latent));
        into->velocities.push_back(to_floats(velocity));
    };
}

}  // namespace studio
