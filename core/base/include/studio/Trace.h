#pragma once
// Per-layer numerics tracing. Model code marks each site with one call,
//     y = trace(*this, SiteKind::Linear, y, weight);   or   h = trace("layers.3", SiteKind::Block, h);
// which costs one thread-local pointer test when no trace is active. A TraceSink installed on
// the thread (TraceScope) sees the site's output and may replace it (fault injection).
#include <torch/torch.h>

#include <string>

namespace studio {

enum class SiteKind { Module, Block, Linear, Attention, Norm, Conv };
const char* to_string(SiteKind k);  // "module", "block", "linear", ...

class TraceSink {
public:
    virtual ~TraceSink() = default;
    // `site` is a path inside the current module ("layers.3.attention.qkv"); `weight` is the
    // site's weight and `input` the tensor entering it (each undefined when not given). Returns
    // the tensor the model continues with.
    virtual torch::Tensor on_site(const std::string& site, SiteKind kind, const torch::Tensor& value,
                                  const torch::Tensor& weight, const torch::Tensor& input) = 0;
    // Path of a registered submodule ("" when unknown: the site is then not traced).
    virtual std::string path_of(const torch::nn::Module& m) const = 0;
    // A fact the library decided at run time ("attention-backend" -> "flash"), first one per key kept.
    virtual void note(const std::string& key, const std::string& value) { (void)key, (void)value; }
};

namespace trace_detail {
extern thread_local TraceSink* t_sink;
}

inline bool tracing() { return trace_detail::t_sink != nullptr; }

inline torch::Tensor trace(const char* site, SiteKind kind, const torch::Tensor& value,
                           const torch::Tensor& weight = {}, const torch::Tensor& input = {}) {
    auto* s = trace_detail::t_sink;
    return s ? s->on_site(site, kind, value, weight, input) : value;
}

inline torch::Tensor trace(const torch::nn::Module& m, SiteKind kind, const torch::Tensor& value,
                           const torch::Tensor& weight = {}, const torch::Tensor& input = {}) {
    auto* s = trace_detail::t_sink;
    if (!s) return value;
    const std::string path = s->path_of(m);
    return path.empty() ? value : s->on_site(path, kind, value, weight, input);
}

inline void trace_note(const std::string& key, const std::string& value) {
    if (auto* s = trace_detail::t_sink) s->note(key, value);
}

// Installs `sink` on this thread while alive (nullptr: tracing off); restores the previous one.
class TraceScope {
public:
    explicit TraceScope(TraceSink* sink) : m_prev(trace_detail::t_sink) { trace_detail::t_sink = sink; }
    ~TraceScope() { trace_detail::t_sink = m_prev; }
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

private:
    TraceSink* m_prev;
};

}  // namespace studio
