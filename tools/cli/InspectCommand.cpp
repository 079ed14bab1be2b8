// `inspect`: what is in a model folder (or one safetensors file), per component.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "Commands.h"
#include "studio/ModelFolder.h"
#include "studio/SafeTensors.h"

namespace fs = std::filesystem;

namespace studio::cli {

namespace {
struct ComponentSummary {
    std::string name, dir, config;
    std::vector<std::string> files;
    int64_t tensors{0}, parameters{0}, bytes{0};
    std::map<std::string, int64_t> dtype_params;
};

ComponentSummary summarize(const std::string& name, const std::string& dir, const std::string& config,
                           const std::vector<std::string>& files) {
    ComponentSummary s{name, dir, config, files};
    for (const auto& f : files) {
        auto st = SafeTensorFile::open(f);
        s.bytes += static_cast<int64_t>(st->file_size());
        for (const auto& e : st->entries()) {
            ++s.tensors;
            s.parameters += e.numel();
            s.dtype_params[to_string(e.dtype)] += e.numel();
        }
    }
    return s;
}

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) b /= 1024, ++u;
    std::ostringstream o;
    o << std::fixed << std::setprecision(u ? 2 : 0) << b << " " << units[u];
    return o.str();
}

std::string human_count(double n) {
    std::ostringstream o;
    if (n >= 1e9) o << std::fixed << std::setprecision(3) << n / 1e9 << " B";
    else if (n >= 1e6) o << std::fixed << std::setprecision(2) << n / 1e6 << " M";
    else o << static_cast<int64_t>(n);
    return o.str();
}

nlohmann::json to_json(const ComponentSummary& s) {
    return {{"component", s.name},   {"dir", s.dir},
            {"config", s.config},    {"files", s.files},
            {"tensors", s.tensors},  {"parameters", s.parameters},
            {"bytes_on_disk", s.bytes}, {"stored_dtypes", s.dtype_params},
            {"memory_bytes", {{"fp32", s.parameters * 4}, {"tf32", s.parameters * 4}, {"bf16", s.parameters * 2}, {"fp16", s.parameters * 2}}}};
}

void print_table(const std::string& root, const std::string& layout, const std::vector<ComponentSummary>& comps,
                 const std::vector<std::string>& warnings) {
    std::cout << "Model: " << root << "  (layout: " << layout << ")\n\n";
    std::cout << std::left << std::setw(14) << "component" << std::right << std::setw(7) << "files" << std::setw(9) << "tensors"
              << std::setw(12) << "params" << std::setw(13) << "on disk" << std::setw(13) << "fp32 mem" << std::setw(13)
              << "bf16/fp16" << "   stored dtypes\n";
    std::cout << std::string(100, '-') << "\n";
    int64_t total_params = 0, total_bytes = 0;
    for (const auto& s : comps) {
        std::string dtypes;
        for (const auto& [d, n] : s.dtype_params) {
            std::ostringstream pct;
            pct << std::fixed << std::setprecision(1) << 100.0 * n / std::max<int64_t>(1, s.parameters);
            dtypes += (dtypes.empty() ? "" : ", ") + d + " " + pct.str() + "%";
        }
        std::cout << std::left << std::setw(14) << s.name << std::right << std::setw(7) << s.files.size() << std::setw(9)
                  << s.tensors << std::setw(12) << human_count(s.parameters) << std::setw(13) << human_bytes(s.bytes)
                  << std::setw(13) << human_bytes(s.parameters * 4.0) << std::setw(13) << human_bytes(s.parameters * 2.0)
                  << "   " << dtypes << "\n";
        total_params += s.parameters;
        total_bytes += s.bytes;
    }
    std::cout << std::string(100, '-') << "\n"
              << std::left << std::setw(14) << "total" << std::right << std::setw(7) << "" << std::setw(9) << "" << std::setw(12)
              << human_count(total_params) << std::setw(13) << human_bytes(total_bytes) << std::setw(13)
              << human_bytes(total_params * 4.0) << std::setw(13) << human_bytes(total_params * 2.0) << "\n";
    for (const auto& w : warnings) std::cout << "warning: " << w << "\n";
}
}  // namespace

Runner add_inspect_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("inspect", "Show the components, tensors, dtypes and memory needs of a model folder or file");
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "Model folder (official or diffusers layout) or a .safetensors file")->required();
    cmd->add_flag("--json", *json, "Print JSON instead of a table");
    return [path, json]() {
        std::vector<ComponentSummary> comps;
        std::vector<std::string> warnings;
        std::string layout = "single file";
        std::string root = fs::absolute(*path).string();
        if (fs::is_regular_file(*path)) {
            comps.push_back(summarize(fs::path(*path).filename().string(), fs::path(root).parent_path().string(), "", {root}));
        } else {
            const auto folder = discover_model_folder(*path);
            layout = to_string(folder.layout);
            root = folder.root;
            warnings = folder.warnings;
            for (auto k : {ComponentKind::TextEncoder, ComponentKind::Clip, ComponentKind::Transformer, ComponentKind::Vae})
                if (const auto& c = folder.component(k); c && !c->weight_files.empty())
                    comps.push_back(summarize(to_string(k), c->dir, c->config_path, c->weight_files));
        }
        if (*json) {
            nlohmann::json out{{"root", root}, {"layout", layout}, {"components", nlohmann::json::array()}, {"warnings", warnings}};
            for (const auto& s : comps) out["components"].push_back(to_json(s));
            std::cout << out.dump(2) << "\n";
        } else {
            print_table(root, layout, comps, warnings);
        }
        return 0;
    };
}

}  // namespace studio::cli
