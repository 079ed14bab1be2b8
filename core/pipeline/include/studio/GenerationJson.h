#pragma once
#include <nlohmann/json.hpp>

#include "studio/Generation.h"

namespace studio {
nlohmann::json params_to_json(const GenerationParams& p);
GenerationParams params_from_json(const nlohmann::json& j);  // missing keys keep their defaults
}  // namespace studio
