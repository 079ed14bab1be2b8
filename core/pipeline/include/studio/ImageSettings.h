#pragma once
// What an image's text entries say about how it was made, whoever wrote them: Precision Studio's
// own record, AUTOMATIC1111 / Forge "parameters", or ComfyUI "prompt" / "workflow" graphs.
// Foreign records are shown as they are; only the settings that mean the same here (prompt,
// negative prompt, seed, steps, CFG scale, size, an Euler sampler) are restored, never a
// precision or a model folder they do not contain.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "studio/Generation.h"

namespace studio {

enum class SettingsOrigin { None, PrecisionStudio, A1111, ComfyUI };

struct ImageSettings {
    SettingsOrigin origin{SettingsOrigin::None};
    std::string tool;  // "Precision Studio 0.1.0", "AUTOMATIC1111 WebUI v1.10.1", "Forge f2.0.1...", "ComfyUI"
    std::vector<std::pair<std::string, std::string>> fields;  // what a foreign record holds, in order
    GenerationParams params;            // defaults + what was restored
    std::vector<std::string> restored;  // names of the restored settings ("prompt", "seed", ...)
    std::vector<std::string> not_restored;  // foreign items with no clean equivalent here
    bool has_report{false};             // a full RunReport (our JSON record) is in `report`
    RunReport report;
    std::string error;                  // why nothing was restored (origin None)

    bool foreign() const { return origin == SettingsOrigin::A1111 || origin == SettingsOrigin::ComfyUI; }
    bool restores(const std::string& name) const;
    // "another tool (ComfyUI): restored prompt, seed, steps; not restored: Sampler dpmpp_2m, Scheduler karras"
    std::string summary() const;
};

ImageSettings read_image_settings(const std::map<std::string, std::string>& text);

// The parts of ImageSettings::read_image_settings for one kind of record (exposed for tests).
ImageSettings settings_from_a1111(const std::string& parameters);
ImageSettings settings_from_comfyui(const std::string& prompt_json, const std::string& workflow_json);

}  // namespace studio
