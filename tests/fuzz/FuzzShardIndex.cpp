// Sharded-checkpoint index (*.safetensors.index.json): every listed shard must be an existing
// file inside the component folder, or the index is refused with a ModelLoadError.
#include <filesystem>

#include "FuzzSupport.h"
#include "studio/Errors.h"
#include "studio/ModelFolder.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const fs::path dir = [] {
        const auto d = studio::fuzz::scratch_dir() / "component";
        fs::create_directories(d / "sub");
        for (const char* f : {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "sub/a.safetensors"})
            std::ofstream(d / f) << "x";
        std::ofstream(studio::fuzz::scratch_dir() / "outside.safetensors") << "x";
        return d;
    }();
    studio::fuzz::write_scratch("component/model.safetensors.index.json", data, size);
    try {
        const auto files = studio::component_weight_files(dir.string());
        const auto root = fs::weakly_canonical(dir);
        for (const auto& f : files) {
            const auto p = fs::weakly_canonical(f);
            const auto rel = p.lexically_relative(root);
            if (rel.empty() || *rel.begin() == "..") studio::fuzz::finding("shard outside the folder accepted: " + f);
            if (!fs::is_regular_file(p)) studio::fuzz::finding("missing shard accepted: " + f);
        }
    } catch (const studio::ModelLoadError&) {
    }
    return 0;
}
