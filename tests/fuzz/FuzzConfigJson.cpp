// config.json of each component and model_index.json: parsed into the typed configs, which
// refuse anything out of range with a StudioError (ModelLoadError / ConfigError).
#include <filesystem>

#include "FuzzSupport.h"
#include "studio/Errors.h"
#include "studio/ModelFolder.h"
#include "studio/dit/DitConfig.h"
#include "studio/text/GemmaConfig.h"
#include "studio/text/JinaConfig.h"
#include "studio/vae/VaeConfig.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const auto j = nlohmann::json::parse(text);
        switch (data[0] % 5) {
            case 0: (void)studio::DitConfig::from_json(j); break;
            case 1: (void)studio::VaeConfig::from_json(j); break;
            case 2: (void)studio::GemmaConfig::from_json(j); break;
            case 3: (void)studio::JinaConfig::from_json(j); break;
            default: break;
        }
    } catch (const nlohmann::json::exception&) {
    } catch (const studio::StudioError&) {
    }
    if (data[0] % 5 == 4) {  // model_index.json: only hints, never a load failure
        static const fs::path root = [] {
            const auto r = studio::fuzz::scratch_dir() / "model";
            fs::create_directories(r / "vae");
            std::ofstream(r / "vae" / "model.safetensors") << "x";
            return r;
        }();
        studio::fuzz::write_scratch("model/model_index.json", data + 1, size - 1);
        try {
            (void)studio::discover_model_folder(root.string());
        } catch (const studio::StudioError& e) {
            studio::fuzz::finding(std::string("model_index.json made the folder fail: ") + e.what());
        }
    }
    return 0;
}
