#include "studio/LayerStream.h"

#include <atomic>

namespace studio {

namespace {
thread_local bool t_streamed_load = false;
std::atomic<int64_t> g_streamed_bytes{0};
}  // namespace

torch::Tensor to_pinned_host(const torch::Tensor& t) {
    const bool pin = torch::cuda::is_available();
    auto host = torch::empty(t.sizes(), t.options().device(torch::kCPU).pinned_memory(pin));
    host.copy_(t);
    return host;
}

StreamedLoadScope::StreamedLoadScope() : m_prev(t_streamed_load) { t_streamed_load = true; }
StreamedLoadScope::~StreamedLoadScope() { t_streamed_load = m_prev; }
bool streamed_load_active() { return t_streamed_load; }

int64_t streamed_bytes() { return g_streamed_bytes.load(); }

namespace stream_detail {

bool fetch(torch::nn::Module& block, const torch::Device& device, std::vector<std::pair<torch::Tensor, torch::Tensor>>& moved) {
    torch::NoGradGuard no_grad;
    auto bring = [&](const torch::Tensor& t) {
        // Only host-resident tensors move ("cuda" and "cuda:0" are one device: compare kinds).
        if (!t.defined() || !t.is_cpu()) return;
        const torch::Tensor host = t.detach();  // keeps the host storage while t points at the device copy
        auto on_device = host.to(device, /*non_blocking=*/true);
        g_streamed_bytes += static_cast<int64_t>(t.numel() * t.element_size());
        moved.emplace_back(t, host);
        const_cast<torch::Tensor&>(t).set_data(on_device);
    };
    for (const auto& p : block.parameters()) bring(p);
    for (const auto& b : block.buffers()) bring(b);
    return !moved.empty();
}

void evict(std::vector<std::pair<torch::Tensor, torch::Tensor>>& moved) {
    torch::NoGradGuard no_grad;
    for (auto& [param, host] : moved) param.set_data(host);
    moved.clear();
}

}  // namespace stream_detail
}  // namespace studio
