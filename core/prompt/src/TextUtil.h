#pragma once
// Small text helpers shared by the prompt parser, writer and lint (internal).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace studio::prompt_detail {

constexpr size_t kNpos = std::string::npos;

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string trim(std::string_view s);
bool is_blank(std::string_view s);

// XML name characters as tinyxml2 accepts them (any UTF-8 lead/continuation byte counts).
inline bool is_name_start(unsigned char c) {
    return c >= 0x80 || c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_name_char(unsigned char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }
bool is_xml_name(std::string_view s);

// Offset of the first byte that is not part of valid UTF-8, or kNpos.
size_t find_invalid_utf8(std::string_view s);

// Length of a UTF-8 byte-order mark at the start of s (0 or 3).
size_t bom_length(std::string_view s);

// Maps byte offsets to 1-based line and column (column counted in code points).
class LineMap {
public:
    explicit LineMap(std::string_view text);
    int line(size_t offset) const;
    int column(size_t offset) const;

private:
    std::string_view m_text;
    std::vector<size_t> m_starts;
};

std::string xml_escape(std::string_view s);

}  // namespace studio::prompt_detail
