// `init-random` (a random model folder) and `metadata` (what an exported image carries).
#include <iostream>
#include <nlohmann/json.hpp>

#include "CliSupport.h"
#include "Commands.h"
#include "studio/Errors.h"
#include "studio/ImageSettings.h"
#include "studio/Provenance.h"
#include "studio/RandomModel.h"
#if defined(STUDIO_HAVE_IMAGEIO)
#include "studio/ImageIO.h"
#endif

namespace studio::cli {

Runner add_init_random_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("init-random", "Write a randomly initialised model folder (official layout)");
    auto preset = std::make_shared<std::string>("tiny");
    auto out = std::make_shared<std::string>();
    auto seed = std::make_shared<uint64_t>(0);
    auto bf16 = std::make_shared<bool>(false);
    cmd->add_option("--preset", *preset, "tiny (tests) or full (the real NewBie shapes)")->check(CLI::IsMember({"tiny", "full"}));
    cmd->add_option("--out", *out, "Folder to write")->required();
    cmd->add_option("--seed", *seed, "Seed of the random weights")->check(seed_validator());
    cmd->add_flag("--bf16", *bf16, "Store weights as bf16 (always for full)");
    return [preset, out, seed, bf16]() {
        RandomModelOptions o;
        o.preset = *preset == "full" ? RandomPreset::Full : RandomPreset::Tiny;
        o.seed = *seed;
        o.bf16_weights = *bf16;
        const int64_t n = write_random_model(*out, o);
        std::cout << "wrote a random " << *preset << " model (" << n << " parameters) to " << *out << "\n";
        return 0;
    };
}

#if defined(STUDIO_HAVE_IMAGEIO)
namespace {

// A record written by another tool: say so, show what it holds, and what would be restored.
void print_foreign(const std::string& path, const ImageSettings& s) {
    std::cout << "file:      " << path << "\n"
              << "origin:    another tool (" << s.tool << "); not a Precision Studio record, so it holds no\n"
              << "           per-module precision, effective dtypes or weight hashes\n";
    for (const auto& [key, value] : s.fields) std::cout << "  " << key << ": " << value << "\n";
    std::string restored, skipped;
    for (const auto& r : s.restored) restored += (restored.empty() ? "" : ", ") + r;
    for (const auto& r : s.not_restored) skipped += (skipped.empty() ? "" : "; ") + r;
    std::cout << "restorable: " << (restored.empty() ? "nothing" : restored) << "\n";
    if (!skipped.empty()) std::cout << "no equivalent here: " << skipped << "\n";
}

nlohmann::json foreign_json(const ImageSettings& s) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [key, value] : s.fields) fields.push_back({{"key", key}, {"value", value}});
    return {{"origin", s.origin == SettingsOrigin::ComfyUI ? "comfyui" : "a1111"}, {"tool", s.tool},
            {"fields", fields}, {"restorable", s.restored}, {"not_restored", s.not_restored}};
}

}  // namespace
#endif

Runner add_metadata_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("metadata", "Print the settings and provenance embedded in an exported image "
                                               "(also A1111 / Forge and ComfyUI records, shown as foreign)");
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("file", *path, "Image file (PNG, TIFF, EXR, JPEG)")->required();
    cmd->add_flag("--json", *json, "Print the full JSON record only (for another tool's record: what it holds)");
    return [path, json]() -> int {
#if defined(STUDIO_HAVE_IMAGEIO)
        const auto meta = read_image_metadata(*path);
        const ImageSettings settings = read_image_settings(meta.text);
        if (settings.origin == SettingsOrigin::None) throw StudioError(*path + ": " + settings.error);
        if (settings.foreign()) {
            if (*json) std::cout << foreign_json(settings).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            else print_foreign(*path, settings);
            return 0;
        }
        if (*json) {
            const auto it = meta.text.find(kProvenanceJsonKey);
            if (it == meta.text.end()) throw StudioError("'" + *path + "' carries no Precision Studio JSON record");
            std::cout << nlohmann::json::parse(it->second).dump(2) << "\n";
            return 0;
        }
        const GenerationParams& params = settings.params;
        const RunReport& report = settings.report;
        std::cout << "file:      " << *path << "\n"
                  << "origin:    " << settings.tool << "\n"
                  << "prompt:    " << params.prompt << "\n"
                  << "negative:  " << params.negative << "\n"
                  << "seed " << params.seed << ", steps " << params.steps << ", cfg " << params.cfg_scale << ", "
                  << params.width << "x" << params.height << ", sampler " << to_string(params.sampler) << "\n"
                  << "model:     " << params.model_dir << "\n"
                  << "requested: " << params.precision.to_string() << "\n";
        for (const auto& m : report.modules)
            std::cout << "  " << to_string(m.module) << ": ran " << m.numerics << (m.mismatch ? "  MISMATCH " + m.note : "") << "\n";
        for (const auto& [k, h] : report.weight_hashes) std::cout << "  weights " << k << ": " << h << "\n";
        for (const auto& [k, v] : meta.text)
            if (k != kProvenanceJsonKey && k != kParametersKey) std::cout << k << ": " << v << "\n";
        return 0;
#else
        throw ConfigError("this build has no OpenImageIO; metadata reading is unavailable");
#endif
    };
}

}  // namespace studio::cli
