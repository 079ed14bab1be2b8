#pragma once
// The loaded form of each component, as kept in the ModelCache, and the one helper that loads
// any of them through the cache (timed, weight census taken once per load).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "Findings.h"
#include "ModelCache.h"
#include "RunAudit.h"
#include "studio/ModelFolder.h"
#include "studio/Numerics.h"
#include "studio/dit/FlowSampler.h"
#include "studio/dit/NextDiT.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"
#include "studio/tokenizers/Tokenizer.h"
#include "studio/vae/Vae.h"

namespace studio {

template <typename M>
struct Loaded {
    M model;
    Numerics nx;
    std::map<std::string, int64_t> weight_dtypes;  // resident weights: dtype -> elements
    std::vector<std::string> uncast;               // parameters not in nx's storage dtype
    double load_seconds{0};
    bool from_cache{false};                        // this run found it in the cache
};

using LoadedGemma = Loaded<Gemma3Text>;
using LoadedJina = Loaded<JinaText>;
using LoadedDit = Loaded<NextDiT>;
using LoadedVae = Loaded<Vae>;

// What the weights of each loaded kind are (the VAE's decoder only: the pipeline never encodes).
inline torch::nn::Module& weights_of(Gemma3Text& m) { return *m; }
inline torch::nn::Module& weights_of(JinaText& m) { return *m; }
inline torch::nn::Module& weights_of(NextDiT& m) { return *m; }
inline torch::nn::Module& weights_of(Vae& m) { return *m.decoder; }

// Returns the cached `kind` model of component `c` in `nx`, or loads it with `load` (timed, its
// weight dtypes counted). The cache key is folder + numerics + device (+ `key_suffix`).
template <typename M>
std::shared_ptr<Loaded<M>> load_cached(ModelCache& cache, const std::string& kind, const ComponentFiles& c,
                                       const Numerics& nx, const std::function<M()>& load,
                                       const std::string& key_suffix = "") {
    bool hit = false;
    auto loaded = cache.get_or_load<Loaded<M>>(kind, c.dir + "|" + nx.label() + "|" + nx.device.str() + key_suffix, [&] {
        const auto t0 = std::chrono::steady_clock::now();
        auto l = std::make_shared<Loaded<M>>(Loaded<M>{load(), nx, {}, {}, 0, false});
        l->weight_dtypes = weight_census(weights_of(l->model), nx);
        l->uncast = uncast_parameters(weights_of(l->model), nx);
        l->load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return l;
    }, &hit);
    // A copy of the handle, so a cache hit is reported per run without touching the cached entry.
    auto view = std::make_shared<Loaded<M>>(*loaded);
    view->from_cache = hit;
    return view;
}

}  // namespace studio
