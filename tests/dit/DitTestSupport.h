#pragma once
// Fixture access for the transformer and sampler suites.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>

#include "TestSupport.h"
#include "studio/ModelFolder.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"

namespace studio::test {

inline std::filesystem::path dit_dir() { return fixtures_dir() / "dit"; }
inline std::filesystem::path sampler_dir() { return fixtures_dir() / "sampler"; }

// Every tensor of a safetensors file, copied out of the mapping.
inline std::map<std::string, torch::Tensor> load_tensors(const std::filesystem::path& file) {
    const auto store = WeightStore::open({file.string()});
    std::map<std::string, torch::Tensor> out;
    for (const auto& key : store.keys()) out[key] = store.get(key).clone();
    return out;
}

// max|ours - expected| / max|expected|, computed in float64.
inline double rel_err(const torch::Tensor& ours, const torch::Tensor& expected) {
    const auto e = expected.to(torch::kFloat64);
    const auto o = ours.to(torch::kCPU, torch::kFloat64);
    EXPECT_EQ(o.sizes(), e.sizes());
    if (o.sizes() != e.sizes()) return 1e30;
    return (o - e).abs().max().item<double>() / std::max(e.abs().max().item<double>(), 1e-30);
}

inline ComponentFiles transformer_component(const std::string& folder) {
    ComponentFiles c;
    c.kind = ComponentKind::Transformer;
    c.dir = (dit_dir() / folder).string();
    c.config_path = (dit_dir() / folder / "config.json").string();
    c.weight_files = component_weight_files(c.dir);
    return c;
}

// Writes tensors as a safetensors file (fp32 / int64 only; enough for the tests).
inline void save_tensors(const std::filesystem::path& file,
                         const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
    std::vector<SafeTensorBlob> blobs;
    for (const auto& [name, t] : tensors) {
        const auto c = t.contiguous().to(torch::kCPU);
        SafeTensorBlob b;
        b.name = name;
        b.dtype = c.scalar_type() == torch::kInt64 ? StDType::I64 : StDType::F32;
        const auto v = b.dtype == StDType::F32 ? c.to(torch::kFloat32) : c;
        b.shape = v.sizes().vec();
        const auto* p = static_cast<const std::byte*>(v.data_ptr());
        b.bytes.assign(p, p + v.numel() * v.element_size());
        blobs.push_back(std::move(b));
    }
    write_safetensors(file.string(), blobs);
}

// The fixtures are part of the test contract: a missing file fails the test.
#define STUDIO_REQUIRE_FIXTURE(path) \
    ASSERT_TRUE(std::filesystem::exists(path)) << "fixture missing: " << (path)

}  // namespace studio::test
