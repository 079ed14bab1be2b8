#pragma once
// Small helpers for reading JSON config files with errors that name the file and key.
#include <nlohmann/json.hpp>
#include <string>

#include "studio/Errors.h"

namespace studio {

nlohmann::json read_json_file(const std::string& path);  // throws ModelLoadError
void write_json_file(const std::string& path, const nlohmann::json& j);  // temp file + rename

template <typename T>
T json_value(const nlohmann::json& j, const std::string& key, const T& fallback) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    try {
        return j[key].get<T>();
    } catch (const std::exception& e) {
        throw ConfigError("config key '" + key + "' has the wrong type: " + e.what());
    }
}

template <typename T>
T json_required(const nlohmann::json& j, const std::string& key, const std::string& file) {
    if (!j.contains(key) || j[key].is_null()) throw ModelLoadError("config lacks required key '" + key + "'", file);
    try {
        return j[key].get<T>();
    } catch (const std::exception& e) {
        throw ModelLoadError("config key '" + key + "' has the wrong type: " + e.what(), file);
    }
}

}  // namespace studio
