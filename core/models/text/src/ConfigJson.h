#pragma once
// Reading optional config.json values with errors that name the file.
#include <nlohmann/json.hpp>

#include <string>

#include "studio/Errors.h"
#include "studio/Json.h"

namespace studio {

// j[key] as T, `fallback` when absent or null; a wrong type is a ModelLoadError naming `origin`.
template <typename T>
T config_get(const nlohmann::json& j, const std::string& key, const T& fallback, const std::string& origin) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
    try {
        return json_get<T>(j[key]);
    } catch (const std::exception& e) {
        throw ModelLoadError("config key '" + key + "' has the wrong type (" + j[key].dump() + ")", origin);
    }
}

}  // namespace studio
