#pragma once
// Helpers for the text encoder tests: reading and writing safetensors, component folders,
// relative errors over valid rows.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "TestSupport.h"
#include "studio/Json.h"
#include "studio/ModelFolder.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"

namespace studio::test {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Every tensor of a safetensors file, copied out of the mapping, in key order.
inline NamedTensors read_tensors(const std::filesystem::path& file) {
    const auto store = WeightStore::open({file.string()});
    NamedTensors out;
    for (const auto& key : store.keys()) out.emplace_back(key, store.get(key).clone());
    return out;
}

inline torch::Tensor tensor_of(const NamedTensors& t, const std::string& key) {
    for (const auto& kv : t)
        if (kv.first == key) return kv.second;
    ADD_FAILURE() << "no tensor " << key;
    return {};
}

inline StDType st_dtype(torch::Dtype d) {
    switch (d) {
        case torch::kFloat64: return StDType::F64;
        case torch::kFloat16: return StDType::F16;
        case torch::kBFloat16: return StDType::BF16;
        case torch::kInt64: return StDType::I64;
        default: return StDType::F32;
    }
}

inline void write_tensors(const std::filesystem::path& file, const NamedTensors& tensors) {
    std::vector<SafeTensorBlob> blobs;
    for (const auto& [name, t] : tensors) {
        const auto c = t.scalar_type() == torch::kInt32 ? t.to(torch::kInt64).contiguous().cpu() : t.contiguous().cpu();
        SafeTensorBlob b{name, st_dtype(c.scalar_type()), c.sizes().vec(), {}};
        b.bytes.resize(c.numel() * c.element_size());
        std::memcpy(b.bytes.data(), c.data_ptr(), b.bytes.size());
        blobs.push_back(std::move(b));
    }
    write_safetensors(file.string(), blobs);
}

// A component folder made of a config and one weight file.
inline ComponentFiles make_component(const std::filesystem::path& dir, const nlohmann::json& config,
                                     const NamedTensors& weights) {
    std::filesystem::create_directories(dir);
    write_json_file((dir / "config.json").string(), config);
    write_tensors(dir / "model.safetensors", weights);
    ComponentFiles c;
    c.dir = dir.string();
    c.config_path = (dir / "config.json").string();
    c.weight_files = component_weight_files(c.dir);
    return c;
}

inline ComponentFiles component_in(const std::filesystem::path& dir) {
    ComponentFiles c;
    c.dir = dir.string();
    c.config_path = (dir / "config.json").string();
    c.weight_files = component_weight_files(c.dir);
    return c;
}

// max|a - b| / max|b| (computed in fp64).
inline double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
    const auto x = a.to(torch::kFloat64), y = b.to(torch::kFloat64);
    return (x - y).abs().max().item<double>() / y.abs().max().item<double>();
}

// The same over rows [B,L,...] where mask [B,L] != 0.
inline double rel_err_rows(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask) {
    const auto m = mask.ne(0);
    return rel_err(a.index({m}), b.index({m}));
}

// Random weights name and shape every tensor of the checkpoint, in fp32.
template <typename Named, typename Checkpoint>
void expect_checkpoint_layout(const Named& random, const Checkpoint& checkpoint) {
    ASSERT_EQ(random.size(), checkpoint.size());
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [k, v] : checkpoint) shapes[k] = v.sizes().vec();
    for (const auto& [k, v] : random) {
        ASSERT_TRUE(shapes.count(k)) << k;
        EXPECT_EQ(v.sizes().vec(), shapes[k]) << k;
        EXPECT_EQ(v.scalar_type(), torch::kFloat32) << k;
    }
}

}  // namespace studio::test
