#pragma once
// Generation settings a model folder declares for itself (model_index.json, block
// "_precision_studio": width, height, steps, cfg, sampler) and the rule every front end uses to
// combine them with the user's choices: user > model > built-in. Torch-free.
#include <optional>
#include <string>
#include <vector>

#include "studio/Generation.h"

namespace studio {

struct DeclaredDefaults {
    std::optional<int> width, height, steps;
    std::optional<float> cfg;
    std::optional<SamplerKind> sampler;
    bool attribute_probe{false};  // the folder is the demo model: its images can be scored (core/demo)
    bool empty() const { return !width && !height && !steps && !cfg && !sampler; }
};

// Reads the block; a folder without model_index.json or without the block declares nothing.
// Throws ConfigError naming the file and key when a declared value is malformed.
DeclaredDefaults read_declared_defaults(const std::string& model_dir);

// What the user gave explicitly (unset = not given).
struct UserSettings {
    std::optional<int> width, height, steps;
    std::optional<float> cfg;
    std::optional<SamplerKind> sampler;
};

enum class SettingSource { BuiltIn, Model, User };
std::string to_string(SettingSource s);  // "built-in", "model", "user"

struct SettingOrigin {
    std::string name;   // "width", "height", "steps", "cfg", "sampler"
    std::string value;  // as used
    SettingSource source{SettingSource::BuiltIn};
};

// Fills width/height/steps/cfg_scale/sampler of `params` (whose current values are the built-in
// defaults) and returns where each came from.
std::vector<SettingOrigin> apply_defaults(GenerationParams& params, const UserSettings& user, const DeclaredDefaults& model);
// "256x256 (model), steps 20 (model), cfg 4 (model), sampler euler (built-in)"
std::string describe(const std::vector<SettingOrigin>& origins);

// A warning when the requested area differs from the declared one by more than 4x either way
// (the model then draws tiles or mush); empty otherwise or when the model declares no size.
std::string size_warning(int width, int height, const DeclaredDefaults& model);

}  // namespace studio
