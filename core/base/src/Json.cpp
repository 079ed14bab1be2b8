#include "studio/Json.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace studio {

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ModelLoadError("cannot read JSON file", path);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {  // parse errors and number overflow (out_of_range)
        throw ModelLoadError(std::string("invalid JSON: ") + e.what(), path);
    }
}

void write_json_file(const std::string& path, const nlohmann::json& j) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExportError("cannot write '" + tmp + "'");
        out << j.dump(2) << "\n";
        if (!out) throw ExportError("write failed for '" + tmp + "'");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw ExportError("cannot rename '" + tmp + "' to '" + path + "'");
}

}  // namespace studio
