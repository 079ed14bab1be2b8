#include "TextUtil.h"

#include <algorithm>

namespace studio::prompt_detail {

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return std::string(s.substr(b, e - b));
}

bool is_blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return is_space(c); });
}

bool is_xml_name(std::string_view s) {
    if (s.empty() || !is_name_start(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return is_name_char(static_cast<unsigned char>(c)); });
}

size_t find_invalid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) { ++i; continue; }
        size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) len = 3;
        else if (c == 0xED) { len = 3; hi = 0x9F; }  // no UTF-16 surrogates
        else if (c >= 0xEE && c <= 0xEF) len = 3;
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) { len = 4; hi = 0x8F; }  // nothing above U+10FFFF
        else return i;
        if (i + 1 >= n || p[i + 1] < lo || p[i + 1] > hi) return i;
        for (size_t k = 2; k < len; ++k)
            if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return kNpos;
}

size_t bom_length(std::string_view s) { return s.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0; }

LineMap::LineMap(std::string_view text) : m_text(text) {
    m_starts.push_back(bom_length(text));  // editors do not show the BOM
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') m_starts.push_back(i + 1);
}

int LineMap::line(size_t offset) const {
    auto it = std::upper_bound(m_starts.begin(), m_starts.end(), offset);
    return static_cast<int>(std::max<std::ptrdiff_t>(it - m_starts.begin(), 1));
}

int LineMap::column(size_t offset) const {
    const size_t start = m_starts[static_cast<size_t>(line(offset) - 1)];
    int col = 1;
    for (size_t i = start; i < offset && i < m_text.size(); ++i)
        if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80) ++col;  // skip continuation bytes
    return col;
}

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace studio::prompt_detail
