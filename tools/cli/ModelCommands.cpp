// `init-random` (a random model folder) and `metadata` (what an exported image carries).
#include <iostream>
#include <nlohmann/json.hpp>

#include "CliSupport.h"
#include "Commands.h"
#include "studio/Errors.h"
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

Runner add_metadata_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("metadata", "Print the settings and provenance embedded in an exported image");
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("file", *path, "Image file (PNG, TIFF, EXR, JPEG)")->required();
    cmd->add_flag("--json", *json, "Print the full JSON record only");
    return [path, json]() -> int {
#if defined(STUDIO_HAVE_IMAGEIO)
        const auto meta = read_image_metadata(*path);
        if (*json) {
            const auto it = meta.text.find(kProvenanceJsonKey);
            if (it == meta.text.end()) throw StudioError("'" + *path + "' carries no Precision Studio record");
            std::cout << nlohmann::json::parse(it->second).dump(2) << "\n";
            return 0;
        }
        GenerationParams params;
        std::string error;
        RunReport report;
        if (!params_from_provenance(meta.text, params, &error, &report)) throw StudioError(*path + ": " + error);
        std::cout << "file:      " << *path << "\n"
                  << "prompt:    " << params.prompt << "\n"
                  << "negative:  " << params.negative << "\n"
                  << "seed " << params.seed << ", steps " << params.steps << ", cfg " << params.cfg_scale << ", "
                  << params.width << "x" << params.height << ", sampler " << to_string(params.sampler) << "\n"
                  << "model:     " << params.model_dir << "\n"
                  << "requested: " << params.precision.to_string() << "\n";
        for (const auto& m : report.modules)
            std::cout << "  " << to_string(m.module) << ": ran " << m.numerics << (m.mismatch ? "  MISMATCH " + m.note : "") << "\n";
        for (const auto& [k, h] : report.weight_hashes) std::cout << "  weights " << k << ": " << h << "\n";
        if (!report.app_version.empty()) std::cout << "made by:   " << report.app_version << "\n";
        for (const auto& [k, v] : meta.text)
            if (k != kProvenanceJsonKey && k != kParametersKey) std::cout << k << ": " << v << "\n";
        return 0;
#else
        throw ConfigError("this build has no OpenImageIO; metadata reading is unavailable");
#endif
    };
}

}  // namespace studio::cli
