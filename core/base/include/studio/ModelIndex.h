#pragma once
// model_index.json of a NewBie folder in the official layout (component folder -> class), as the
// studio writes it for the folders it makes (random models, the demo model). `studio_extra` goes
// under "_precision_studio", where the studio keeps what it knows about the folder.
#include <nlohmann/json.hpp>
#include <string>

namespace studio {

void write_official_model_index(const std::string& path, const nlohmann::json& studio_extra);

}  // namespace studio
