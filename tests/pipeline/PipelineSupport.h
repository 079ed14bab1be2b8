#pragma once
// Model folders for pipeline tests: the fixture modules assembled into the official layout.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "TestSupport.h"

namespace studio::test {

// text_encoder/ (gemma3 weights + gemma_like tokenizer.model), clip_model/ (jina weights +
// xlmr_like tokenizer.json), transformer/ (dit), vae/ (vae) — symlinked, nothing copied.
inline std::filesystem::path fixture_model_folder() {
    namespace fs = std::filesystem;
    const auto fx = fixtures_dir();
    const auto root = temp_dir("fixture-model");
    auto link_dir_contents = [](const fs::path& from, const fs::path& to) {
        fs::create_directories(to);
        for (const auto& e : fs::directory_iterator(from)) fs::create_symlink(e.path(), to / e.path().filename());
    };
    link_dir_contents(fx / "gemma3" / "text_encoder", root / "text_encoder");
    fs::create_symlink(fx / "tokenizers" / "gemma_like" / "tokenizer.model", root / "text_encoder" / "tokenizer.model");
    link_dir_contents(fx / "jina" / "clip_model", root / "clip_model");
    fs::create_symlink(fx / "tokenizers" / "xlmr_like" / "tokenizer.json", root / "clip_model" / "tokenizer.json");
    link_dir_contents(fx / "dit" / "transformer", root / "transformer");
    link_dir_contents(fx / "vae" / "vae", root / "vae");
    return root;
}

// Sampler settings of the pipeline fixture, read from its README ("sample_ode(euler, N steps,
// time_shifting_factor=S)", "forward_with_cfg(cfg_scale=C, cfg_trunc=T, renorm_cfg=R)").
struct PipelineSettings {
    bool valid{false};
    double shift{0}, cfg_scale{0}, cfg_trunc{0}, renorm_cfg{0};
};

inline PipelineSettings pipeline_readme_settings() {
    std::ifstream in(fixtures_dir() / "pipeline" / "README.md");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    PipelineSettings s;
    int found = 0;
    auto number = [&](const char* key, double& out) {
        std::smatch m;
        if (std::regex_search(text, m, std::regex(std::string(key) + R"(\s*=\s*([0-9]+(\.[0-9]+)?))"))) {
            out = std::stod(m[1].str());
            ++found;
        }
    };
    number("time_shifting_factor", s.shift);
    number("cfg_scale", s.cfg_scale);
    number("cfg_trunc", s.cfg_trunc);
    number("renorm_cfg", s.renorm_cfg);
    s.valid = found == 4 && s.shift > 0;
    return s;
}

}  // namespace studio::test
