#include "TagCsv.h"

#include "TextUtil.h"
#include "studio/Errors.h"

#include <cerrno>
#include <cstdlib>

namespace studio::prompt_detail {

namespace {

[[noreturn]] void fail(const std::string& source, int line, const std::string& message) {
    throw StudioError(source + ":" + std::to_string(line) + ": " + message);
}

// One CSV record; fields may be quoted with "" as an escaped quote.
std::vector<std::string> split_record(const std::string& line, const std::string& source, int line_no) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    if (quoted) fail(source, line_no, "unterminated quote");
    return fields;
}

// Danbooru's numeric tag types, as used by tag-completion lists.
std::string category_name(const std::string& field) {
    if (field.empty()) return "general";
    if (field.find_first_not_of("0123456789") != std::string::npos) return field;
    switch (std::atoi(field.c_str())) {
    case 1: return "artist";
    case 3: return "copyright";
    case 4: return "character";
    case 5: return "meta";
    default: return "general";
    }
}

std::vector<std::string> split_aliases(const std::string& field) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i <= field.size(); ++i) {
        if (i < field.size() && field[i] != ',' && field[i] != '|') continue;
        std::string alias = trim(std::string_view(field).substr(start, i - start));
        if (!alias.empty()) out.push_back(std::move(alias));
        start = i + 1;
    }
    return out;
}

}  // namespace

std::vector<TagInfo> read_tag_csv(const std::string& text, const std::string& source) {
    std::vector<TagInfo> rows;
    size_t start = bom_length(text);
    bool first_record = true;
    for (int line_no = 1; start <= text.size(); ++line_no) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = trim(std::string_view(text).substr(start, end - start));
        start = end + 1;
        if (line.empty() || line[0] == '#') continue;
        auto fields = split_record(line, source, line_no);
        for (auto& f : fields) f = trim(f);
        const bool header = first_record && (fields[0] == "tag" || fields[0] == "name");
        first_record = false;
        if (header) continue;
        if (fields[0].empty()) fail(source, line_no, "empty tag");
        TagInfo info;
        info.tag = fields[0];
        info.category = category_name(fields.size() > 1 ? fields[1] : std::string());
        if (fields.size() > 2 && !fields[2].empty()) {
            char* stop = nullptr;
            errno = 0;
            const long long count = std::strtoll(fields[2].c_str(), &stop, 10);
            if (errno != 0 || *stop != '\0' || count < 0)
                fail(source, line_no, "count '" + fields[2] + "' of '" + info.tag + "' is not a non-negative number");
            info.count = count;
        }
        for (size_t i = 3; i < fields.size(); ++i)  // unquoted aliases spill into more columns
            for (auto& alias : split_aliases(fields[i])) info.aliases.push_back(std::move(alias));
        rows.push_back(std::move(info));
    }
    return rows;
}

}  // namespace studio::prompt_detail
