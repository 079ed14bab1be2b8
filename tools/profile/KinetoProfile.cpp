#include "KinetoProfile.h"

#if defined(STUDIO_KINETO_PROFILE)
#include <torch/csrc/autograd/profiler_kineto.h>
#endif

namespace studio {

#if defined(STUDIO_KINETO_PROFILE)
namespace {
namespace tpi = torch::profiler::impl;
const std::set<tpi::ActivityType>& activities() {
    static const std::set<tpi::ActivityType> a{tpi::ActivityType::CPU, tpi::ActivityType::CUDA};
    return a;
}
tpi::ProfilerConfig config() { return tpi::ProfilerConfig(tpi::ProfilerState::KINETO); }
}  // namespace

bool profile_available() { return true; }

bool profile_start() {
    torch::autograd::profiler::prepareProfiler(config(), activities());
    torch::autograd::profiler::enableProfiler(config(), activities());
    return true;
}

void profile_stop(const std::string& path) {
    auto result = torch::autograd::profiler::disableProfiler();
    if (result) result->save(path);
}
#else
bool profile_available() { return false; }
bool profile_start() { return false; }
void profile_stop(const std::string&) {}
#endif

}  // namespace studio
