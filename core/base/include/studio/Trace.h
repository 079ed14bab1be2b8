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
    // False once `key` is noted: working out a fact can cost more than the op it describes.
    virtual bool wants_note(const std::string& key) const { return (void)key, true; }

    // Whether model code may run a captured CUDA graph while this sink is installed (sites inside
    // the graph are not seen), and whether it must then report per-block checks (below).
    enum class GraphUse { Never, Allowed, WithBlockChecks };
    virtual GraphUse graph_use() const { return GraphUse::Never; }
    // The [NaN, Inf] counts of blocks `prefix`0, `prefix`1, ... of one graph replay, as an [n, 2]
    // device tensor that the next replay overwrites; each block's output had `elements` values.
    virtual void on_block_checks(const std::string& prefix, const torch::Tensor& counts, int64_t elements) {
        (void)prefix, (void)counts, (void)elements;
    }
};

namespace trace_detail {
extern thread_local TraceSink* t_sink;
}

// How many elements of a bool mask are true, as a 0-dim int64 tensor on the mask's device (no
// sync). Summing a bool mask directly makes libtorch cast it to int64 first (8 bytes a value);
// this sums it as uint8 columns of 128 values and reads the mask once as it is.
torch::Tensor count_true(const torch::Tensor& mask);
// [NaN count, Inf count] of `x` as a 2-element int64 tensor on its device (no sync).
torch::Tensor nonfinite_counts(const torch::Tensor& x);

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

inline TraceSink::GraphUse trace_graph_use() {
    auto* s = trace_detail::t_sink;
    return s ? s->graph_use() : TraceSink::GraphUse::Allowed;
}

inline void trace_block_checks(const std::string& prefix, const torch::Tensor& counts, int64_t elements) {
    if (auto* s = trace_detail::t_sink) s->on_block_checks(prefix, counts, elements);
}

inline bool trace_wants_note(const std::string& key) {
    auto* s = trace_detail::t_sink;
    return s && s->wants_note(key);
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
