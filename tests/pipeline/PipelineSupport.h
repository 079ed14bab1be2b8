#pragma once
// Model folders for pipeline tests: the fixture modules assembled into the official layout.
#include <filesystem>

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

}  // namespace studio::test
