#include "studio/ModelDefaults.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "studio/Json.h"

namespace fs = std::filesystem;

namespace studio {

namespace {
template <typename T>
std::optional<T> declared(const nlohmann::json& block, const char* key, const std::string& file, T lo, T hi) {
    if (!block.contains(key) || block[key].is_null()) return std::nullopt;
    if (!block[key].is_number())
        throw ConfigError(file + ": \"_precision_studio\"." + key + " must be a number (got " + block[key].dump() + ")");
    const T v = block[key].get<T>();
    if (!(v >= lo && v <= hi))
        throw ConfigError(file + ": \"_precision_studio\"." + key + " = " + block[key].dump() + " is out of range");
    return v;
}

std::string number(float v) {
    std::ostringstream s;
    s << v;
    return s.str();
}
}  // namespace

DeclaredDefaults read_declared_defaults(const std::string& model_dir) {
    DeclaredDefaults d;
    const fs::path index = fs::path(model_dir) / "model_index.json";
    if (!fs::is_regular_file(index)) return d;
    const std::string file = index.string();
    nlohmann::json j;
    try {
        j = read_json_file(file);
    } catch (const StudioError&) {
        return d;  // an unreadable index only carries hints; discover_model_folder reports it
    }
    const auto block = j.find("_precision_studio");
    if (block == j.end() || !block->is_object()) return d;
    d.width = declared<int>(*block, "width", file, 8, 4096);
    d.height = declared<int>(*block, "height", file, 8, 4096);
    d.steps = declared<int>(*block, "steps", file, 1, 1000);
    d.cfg = declared<float>(*block, "cfg", file, 0.0f, 100.0f);
    if (block->contains("sampler")) {
        SamplerKind s{};
        const auto& v = (*block)["sampler"];
        if (!v.is_string() || !parse_sampler(v.get<std::string>(), s))
            throw ConfigError(file + ": \"_precision_studio\".sampler must be \"euler\" or \"midpoint\" (got " + v.dump() + ")");
        d.sampler = s;
    }
    d.attribute_probe = block->contains("demo_model");
    return d;
}

std::string to_string(SettingSource s) {
    switch (s) {
        case SettingSource::BuiltIn: return "built-in";
        case SettingSource::Model: return "model";
        case SettingSource::User: return "user";
    }
    return "?";
}

std::vector<SettingOrigin> apply_defaults(GenerationParams& p, const UserSettings& user, const DeclaredDefaults& model) {
    std::vector<SettingOrigin> out;
    auto pick = [&](const char* name, auto& target, const auto& from_user, const auto& from_model, auto show) {
        SettingSource src = SettingSource::BuiltIn;
        if (from_user) {
            target = *from_user;
            src = SettingSource::User;
        } else if (from_model) {
            target = *from_model;
            src = SettingSource::Model;
        }
        out.push_back({name, show(target), src});
    };
    auto show_int = [](int v) { return std::to_string(v); };
    pick("width", p.width, user.width, model.width, show_int);
    pick("height", p.height, user.height, model.height, show_int);
    pick("steps", p.steps, user.steps, model.steps, show_int);
    pick("cfg", p.cfg_scale, user.cfg, model.cfg, number);
    pick("sampler", p.sampler, user.sampler, model.sampler, [](SamplerKind s) { return to_string(s); });
    return out;
}

std::string describe(const std::vector<SettingOrigin>& origins) {
    std::string out;
    for (size_t i = 0; i < origins.size(); ++i) {
        const auto& o = origins[i];
        if (o.name == "height") continue;  // shown with the width
        std::string text;
        if (o.name == "width") {
            const auto& h = origins[i + 1 < origins.size() ? i + 1 : i];
            text = o.value + "x" + h.value + " (" + to_string(o.source) +
                   (h.source != o.source ? "/" + to_string(h.source) : "") + ")";
        } else {
            text = o.name + " " + o.value + " (" + to_string(o.source) + ")";
        }
        out += (out.empty() ? "" : ", ") + text;
    }
    return out;
}

std::string size_warning(int width, int height, const DeclaredDefaults& model) {
    if (!model.width || !model.height) return {};
    const double ratio = (static_cast<double>(width) * height) / (static_cast<double>(*model.width) * *model.height);
    if (ratio <= 4.0 && ratio >= 0.25) return {};
    std::ostringstream s;
    s << width << "x" << height << " is far from the " << *model.width << "x" << *model.height
      << " this model declares (area " << (ratio > 1 ? ratio : 1.0 / ratio) << "x " << (ratio > 1 ? "larger" : "smaller")
      << "); expect repeated tiles or mush";
    return s.str();
}

}  // namespace studio
