#include "studio/ModuleLoader.h"

#include "studio/LayerStream.h"

#include "studio/Errors.h"

namespace studio {

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

torch::Tensor cast_weight(const torch::Tensor& w, const Numerics& nx) {
    if (!w.is_floating_point()) return w.to(nx.device);
    return w.to(nx.device, nx.storage()).to(nx.compute()).contiguous();
}

torch::Tensor place_weight(const std::string& path, const torch::Tensor& w, const Numerics& nx) {
    if (!streamed_load_active() || nx.device.is_cpu() || !is_streamed_block_path(path)) return cast_weight(w, nx);
    Numerics host = nx;
    host.device = torch::kCPU;
    return to_pinned_host(cast_weight(w, host));
}

torch::Tensor load_tensor(const WeightStore& store, const std::string& key, const std::vector<int64_t>& shape,
                          const Numerics& nx) {
    const auto actual = store.shape(key);
    if (!shape.empty() && actual != shape)
        throw ModelLoadError("shape " + shape_string(actual) + " does not match the config's " + shape_string(shape),
                             store.file_of(key), key);
    return cast_weight(store.get(key), nx);
}

LoadReport load_module_weights(torch::nn::Module& module, const WeightStore& store, const Numerics& nx,
                               const std::string& prefix, const std::set<std::string>& ignore_unused) {
    torch::NoGradGuard no_grad;
    LoadReport report;
    std::set<std::string> used;
    for (auto& item : module.named_parameters(true)) {
        const std::string key = prefix + item.key();
        if (!store.has(key)) throw ModelLoadError("tensor missing from the checkpoint", store.origin(), key);
        const auto actual = store.shape(key);
        const auto expected = item.value().sizes().vec();
        if (actual != expected)
            throw ModelLoadError("checkpoint shape " + shape_string(actual) + " but the config implies " +
                                     shape_string(expected),
                                 store.file_of(key), key);
        item.value().set_data(place_weight(item.key(), store.get(key), nx));
        report.parameters += item.value().numel();
        used.insert(key);
    }
    for (const auto& key : store.keys())
        if (key.rfind(prefix, 0) == 0 && !used.count(key) && !ignore_unused.count(key.substr(prefix.size())))
            report.unused_keys.push_back(key);
    return report;
}

}  // namespace studio
