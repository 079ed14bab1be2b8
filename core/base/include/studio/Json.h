#pragma once
// Small helpers for reading JSON config files with errors that name the file and key.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "studio/Errors.h"

namespace studio {

nlohmann::json read_json_file(const std::string& path);  // throws ModelLoadError
void write_json_file(const std::string& path, const nlohmann::json& j);  // temp file + rename

// v as T. nlohmann converts a float to an integer with a plain cast, undefined behaviour past the
// integer's range (a fuzz finding), and narrows wider integers silently: integers read from files
// come through here and are refused unless they are whole numbers that fit.
template <typename T>
T json_get(const nlohmann::json& v) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        using limits = std::numeric_limits<T>;
        bool fits = false;
        if (v.is_number_float()) {
            const double d = v.get<double>();
            // 2^digits is exact in a double; the lowest value is exact for every integer type.
            fits = std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(limits::lowest()) &&
                   d < std::ldexp(1.0, limits::digits);
        } else if (v.is_number_unsigned()) {
            fits = v.get<uint64_t>() <= static_cast<uint64_t>(limits::max());
        } else if (v.is_number_integer()) {
            const int64_t i = v.get<int64_t>();
            fits = i >= 0 ? static_cast<uint64_t>(i) <= static_cast<uint64_t>(limits::max())
                          : limits::is_signed && i >= static_cast<int64_t>(limits::lowest());
        } else {
            return v.get<T>();  // throws nlohmann's type error
        }
        if (!fits) throw nlohmann::json::type_error::create(302, "number " + v.dump() + " is not a whole number in range", &v);
        return v.is_number_float() ? static_cast<T>(v.get<double>()) : v.get<T>();
    } else {
        return v.get<T>();
    }
}

// obj[key] as T (json_get's checks), `fallback` when absent or null.
template <typename T>
T json_or(const nlohmann::json& obj, const std::string& key, const T& fallback) {
    if (!obj.is_object()) return fallback;
    const auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? fallback : json_get<T>(*it);
}

template <typename T>
T json_value(const nlohmann::json& j, const std::string& key, const T& fallback) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    try {
        return json_get<T>(j[key]);
    } catch (const std::exception& e) {
        throw ConfigError("config key '" + key + "' has the wrong type: " + e.what());
    }
}

template <typename T>
T json_required(const nlohmann::json& j, const std::string& key, const std::string& file) {
    if (!j.contains(key) || j[key].is_null()) throw ModelLoadError("config lacks required key '" + key + "'", file);
    try {
        return json_get<T>(j[key]);
    } catch (const std::exception& e) {
        throw ModelLoadError("config key '" + key + "' has the wrong type: " + e.what(), file);
    }
}

}  // namespace studio
