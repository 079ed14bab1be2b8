#include <cmath>

#include "studio/Divergence.h"
#include "studio/Errors.h"
#include "studio/Json.h"

namespace studio {

namespace {
double relative_l2(const std::vector<float>& a, const std::vector<float>& b, int step, const char* what) {
    if (a.size() != b.size())
        throw StudioError(std::string("cannot compare trajectories: the ") + what + " at step " + std::to_string(step) +
                          " has " + std::to_string(a.size()) + " values in A and " + std::to_string(b.size()) + " in B");
    double diff = 0, ref = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        diff += d * d;
        ref += static_cast<double>(a[i]) * a[i];
    }
    if (!std::isfinite(diff) || !std::isfinite(ref)) return std::nan("");
    if (ref == 0) return diff == 0 ? 0.0 : std::numeric_limits<double>::infinity();
    return std::sqrt(diff / ref);
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace

std::vector<StepDivergence> trajectory_divergence(const StepTrajectory& a, const StepTrajectory& b) {
    std::vector<StepDivergence> out;
    const int n = std::min(a.steps(), b.steps());
    for (int i = 0; i < n; ++i) {
        StepDivergence d;
        d.step = i + 1;
        d.latent = relative_l2(a.latents[i], b.latents[i], d.step, "latent");
        const bool have_v = i < static_cast<int>(a.velocities.size()) && i < static_cast<int>(b.velocities.size());
        d.velocity = have_v ? relative_l2(a.velocities[i], b.velocities[i], d.step, "velocity") : std::nan("");
        out.push_back(d);
    }
    return out;
}

nlohmann::json divergence_to_json(const std::vector<StepDivergence>& d) {
    auto arr = nlohmann::json::array();
    for (const auto& s : d) arr.push_back({{"step", s.step}, {"latent", number_or_null(s.latent)}, {"velocity", number_or_null(s.velocity)}});
    return arr;
}

std::vector<StepDivergence> divergence_from_json(const nlohmann::json& j) {
    std::vector<StepDivergence> out;
    if (!j.is_array()) return out;
    auto num = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
    for (const auto& e : j) out.push_back({json_or<int>(e, "step", 0), num(e.value("latent", nlohmann::json())), num(e.value("velocity", nlohmann::json()))});
    return out;
}

}  // namespace studio
