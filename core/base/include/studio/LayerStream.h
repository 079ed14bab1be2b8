#pragma once
// Sequential offload: a model's repeated blocks keep their weights in (pinned) host memory and
// visit the device one block at a time, for that block's forward only, so a model larger than
// the device's memory runs with one block's weights resident.
//
// Loading: while a StreamedLoadScope is alive on the thread, the module loaders put every weight
// whose parameter path is a block's ("layers.N.…", "noise_refiner.N.…", "context_refiner.N.…")
// in host memory instead of on the device. Running: model code wraps each block's forward in
// run_block(), which is a plain call when the block's weights are already on the device.
#include <torch/torch.h>

#include <string>

#include "studio/BlockPaths.h"

namespace studio {

// A copy of `t` in page-locked host memory (plain host memory without CUDA), so that copies to
// the device run asynchronously.
torch::Tensor to_pinned_host(const torch::Tensor& t);

class StreamedLoadScope {
public:
    StreamedLoadScope();
    ~StreamedLoadScope();
    StreamedLoadScope(const StreamedLoadScope&) = delete;
    StreamedLoadScope& operator=(const StreamedLoadScope&) = delete;

private:
    bool m_prev;
};
bool streamed_load_active();

// Bytes copied to devices by run_block() in this process (for the report and the benchmarks).
int64_t streamed_bytes();

namespace stream_detail {
// Brings the block's host-resident tensors to `device`; returns whether any moved.
bool fetch(torch::nn::Module& block, const torch::Device& device, std::vector<std::pair<torch::Tensor, torch::Tensor>>& moved);
void evict(std::vector<std::pair<torch::Tensor, torch::Tensor>>& moved);
}  // namespace stream_detail

// Runs fn() with the block's weights on `device` (a GPU); weights that were in host memory go back
// there afterwards (also when fn throws), the device copies are freed.
template <typename Fn>
auto run_block(torch::nn::Module& block, const torch::Device& device, Fn&& fn) -> decltype(fn()) {
    if (device.is_cpu()) return fn();
    std::vector<std::pair<torch::Tensor, torch::Tensor>> moved;  // (parameter, its host storage)
    if (!stream_detail::fetch(block, device, moved)) return fn();
    struct Evict {
        std::vector<std::pair<torch::Tensor, torch::Tensor>>& m;
        ~Evict() { stream_detail::evict(m); }
    } evict{moved};
    return fn();
}

}  // namespace studio
