#include "studio/Infotext.h"

#include <nlohmann/json.hpp>
#include <regex>

namespace studio {

const std::string* Infotext::find(const std::string& key) const {
    for (const auto& [k, v] : fields)
        if (k == key) return &v;
    return nullptr;
}

std::string infotext_quote(const std::string& value) {
    const bool plain = value.find_first_of(",:\n") == std::string::npos && (value.empty() || value.front() != '"');
    if (plain) return value;
    return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string format_infotext(const Infotext& info) {
    std::string out = info.prompt;
    if (!info.negative.empty()) out += "\nNegative prompt: " + info.negative;
    std::string line;
    for (const auto& [key, value] : info.fields) line += (line.empty() ? "" : ", ") + key + ": " + infotext_quote(value);
    if (!line.empty()) out += "\n" + line;
    return out;
}

namespace {

const std::regex& param_regex() {
    static const std::regex re(R"re(\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$))re");
    return re;
}

InfotextFields find_params(const std::string& line) {
    InfotextFields out;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), param_regex()); it != std::sregex_iterator(); ++it) {
        std::string value = (*it)[2].str();
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            try {
                value = nlohmann::json::parse(value).get<std::string>();
            } catch (const std::exception&) {
                // A1111 keeps a value it cannot unquote as written.
            }
        }
        out.emplace_back((*it)[1].str(), value);
    }
    return out;
}

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos) return {};
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

}  // namespace

Infotext parse_infotext(const std::string& text) {
    Infotext info;
    const std::string body = trim(text);
    std::vector<std::string> lines;
    for (size_t start = 0;;) {
        const size_t nl = body.find('\n', start);
        lines.push_back(body.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    InfotextFields last = find_params(lines.back());
    if (last.size() >= 3) {
        info.fields = std::move(last);
        lines.pop_back();
    }
    // Prompt lines are kept as written (A1111 strips each one; our own prompts must stay exact).
    bool negative = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (!negative && lines[i].rfind("Negative prompt:", 0) == 0) {
            negative = true;
            info.negative = trim(lines[i].substr(16));
        } else if (negative) {
            info.negative += "\n" + lines[i];
        } else {
            info.prompt += (i == 0 ? "" : "\n") + lines[i];
        }
    }
    return info;
}

}  // namespace studio
