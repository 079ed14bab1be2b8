#include "Pattern.h"

#include <nlohmann/json.hpp>

#include "studio/Errors.h"

namespace studio::tok {

Pattern Pattern::literal(std::string s) {
    Pattern p;
    p.m_literal = std::move(s);
    return p;
}

Pattern Pattern::from_json(const nlohmann::json& j) {
    if (j.is_object() && j.contains("String")) return literal(j.at("String").get<std::string>());
    if (j.is_object() && j.contains("Regex")) {
        Pattern p;
        p.m_regex = std::make_shared<const SimpleRegex>(j.at("Regex").get<std::string>());
        return p;
    }
    throw TokenizerError("pattern must be {\"String\": ...} or {\"Regex\": ...}");
}

std::vector<Range> Pattern::find_all(std::string_view s) const {
    std::vector<Range> out;
    if (!m_regex) {
        if (m_literal.empty()) return out;
        for (size_t pos = 0; (pos = s.find(m_literal, pos)) != std::string_view::npos; pos += m_literal.size())
            out.emplace_back(pos, pos + m_literal.size());
        return out;
    }
    return m_regex->find_all(s);
}

std::string Pattern::replace_all(std::string_view s, std::string_view content) const {
    std::string out;
    size_t pos = 0;
    for (const auto& [b, e] : find_all(s)) {
        out.append(s.substr(pos, b - pos));
        out.append(content);
        pos = e;
    }
    out.append(s.substr(pos));
    return out;
}

}  // namespace studio::tok
