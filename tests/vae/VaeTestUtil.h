#pragma once
// Helpers shared by the VAE tests: fixture paths, tensor files, error measures.
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "TestSupport.h"
#include "studio/ModelFolder.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"

namespace studio::test {

inline std::filesystem::path vae_fixture_dir() { return fixtures_dir() / "vae"; }

// All tensors of a safetensors file, copied out of the mapping.
inline std::map<std::string, torch::Tensor> read_tensors(const std::filesystem::path& file) {
    const auto store = WeightStore::open({file.string()});
    std::map<std::string, torch::Tensor> out;
    for (const auto& k : store.keys()) out[k] = store.get(k).clone();
    return out;
}

inline SafeTensorBlob to_blob(const std::string& name, const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    SafeTensorBlob b{name, StDType::F32, c.sizes().vec(), std::vector<std::byte>(static_cast<size_t>(c.numel()) * 4)};
    if (c.numel() > 0) std::memcpy(b.bytes.data(), c.data_ptr(), b.bytes.size());
    return b;
}

inline void write_tensors(const std::filesystem::path& file, const std::map<std::string, torch::Tensor>& tensors) {
    std::vector<SafeTensorBlob> blobs;
    for (const auto& [k, t] : tensors) blobs.push_back(to_blob(k, t));
    write_safetensors(file.string(), blobs);
}

// A VAE component folder: config.json (if given) + one weights file.
inline ComponentFiles vae_component(const std::filesystem::path& dir, const std::string& weights_name,
                                    bool with_config) {
    ComponentFiles c;
    c.kind = ComponentKind::Vae;
    c.dir = dir.string();
    c.config_path = with_config ? (dir / "config.json").string() : std::string();
    c.weight_files = {(dir / weights_name).string()};
    return c;
}

inline ComponentFiles fixture_vae_component() {
    const auto dir = vae_fixture_dir() / "vae";
    return vae_component(dir, "diffusion_pytorch_model.safetensors", true);
}

// max|a - ref| / max|ref|, in double.
inline double rel_err(const torch::Tensor& a, const torch::Tensor& ref) {
    const auto ad = a.detach().to(torch::kCPU, torch::kFloat64);
    const auto rd = ref.detach().to(torch::kCPU, torch::kFloat64);
    const double denom = rd.abs().max().item<double>();
    return (ad - rd).abs().max().item<double>() / (denom > 0 ? denom : 1.0);
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.detach().to(torch::kFloat64) - b.detach().to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace studio::test
