#pragma once
// What the whole-run tests share: a tiny random model folder (written once per process for each
// name), the request they start from, and the largest pixel difference between two images.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "TestSupport.h"
#include "studio/Generation.h"
#include "studio/RandomModel.h"

namespace studio::test {

inline const std::filesystem::path& tiny_model_dir(const std::string& name, uint64_t seed, bool bf16_weights = false) {
    static std::map<std::string, std::filesystem::path> written;
    auto it = written.find(name);
    if (it == written.end()) {
        const auto d = temp_dir(name);
        write_random_model(d.string(), RandomModelOptions{RandomPreset::Tiny, seed, bf16_weights});
        it = written.emplace(name, d).first;
    }
    return it->second;
}

// One character, 3 steps, CFG 4, 64x64.
inline GenerationParams tiny_request(const std::filesystem::path& model, const std::string& precision, uint64_t seed) {
    GenerationParams p;
    p.model_dir = model.string();
    p.prompt = "<character_1><gender>1girl</gender><appearance>blue_hair, red_eyes</appearance></character_1>";
    p.seed = seed;
    p.steps = 3;
    p.cfg_scale = 4.0f;
    p.width = p.height = 64;
    p.precision = PrecisionConfig::parse(precision);
    return p;
}

inline double max_abs_diff(const ImageF& a, const ImageF& b) {
    double m = a.pixels.size() == b.pixels.size() ? 0.0 : INFINITY;
    for (size_t i = 0; i < std::min(a.pixels.size(), b.pixels.size()); ++i)
        m = std::max(m, static_cast<double>(std::abs(a.pixels[i] - b.pixels[i])));
    return m;
}

}  // namespace studio::test
