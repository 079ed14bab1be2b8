#include "studio/tokenizers/PrecompiledCharsmap.h"

#include <algorithm>
#include <cstring>

#include "Utf8.h"
#include "studio/Errors.h"

namespace studio {

namespace {
// darts-clone double-array unit layout.
bool has_leaf(uint32_t u) {
    return (u >> 8) & 1;
}
uint32_t value_of(uint32_t u) {
    return u & ((1u << 31) - 1);
}
uint32_t label_of(uint32_t u) {
    return u & ((1u << 31) | 0xFF);
}
uint32_t offset_of(uint32_t u) {
    return (u >> 10) << ((u & (1u << 9)) >> 6);
}

std::string where(const std::string& source) {
    return source.empty() ? std::string() : " in '" + source + "'";
}
}  // namespace

PrecompiledCharsmap::PrecompiledCharsmap(std::string_view blob, const std::string& source) {
    if (blob.empty()) return;  // no rules: identity
    if (blob.size() < 4) throw TokenizerError("precompiled charsmap is truncated" + where(source));
    uint32_t trie_size = 0;
    for (int i = 3; i >= 0; --i) trie_size = (trie_size << 8) | static_cast<unsigned char>(blob[i]);
    if (trie_size % 4 != 0 || trie_size > blob.size() - 4 || trie_size == 0)
        throw TokenizerError("precompiled charsmap has an invalid trie size" + where(source));
    m_units.resize(trie_size / 4);
    for (size_t k = 0; k < m_units.size(); ++k) {
        const auto* p = reinterpret_cast<const unsigned char*>(blob.data() + 4 + 4 * k);
        m_units[k] = uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
    }
    m_normalized.assign(blob.substr(4 + trie_size));
    if (tok::sanitize_utf8(m_normalized) != m_normalized)
        throw TokenizerError("precompiled charsmap replacements are not valid UTF-8" + where(source));
}

PrecompiledCharsmap PrecompiledCharsmap::from_base64(std::string_view base64, const std::string& source) {
    std::string blob;
    if (!tok::base64_decode(base64, &blob))
        throw TokenizerError("precompiled charsmap is not valid base64" + where(source));
    return PrecompiledCharsmap(blob, source);
}

size_t PrecompiledCharsmap::match_prefix(std::string_view text, std::string_view* replacement) const {
    if (m_units.empty()) return 0;
    const size_t n_units = m_units.size();
    size_t node = offset_of(m_units[0]);
    size_t best_len = 0;
    size_t best_value = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0) break;
        node ^= c;
        if (node >= n_units) break;
        const uint32_t unit = m_units[node];
        if (label_of(unit) != c) break;
        node ^= offset_of(unit);
        if (node >= n_units) break;
        if (has_leaf(unit)) {
            best_len = i + 1;
            best_value = value_of(m_units[node]);
        }
    }
    if (best_len == 0 || best_value >= m_normalized.size()) return 0;
    if (replacement) {
        const char* start = m_normalized.data() + best_value;
        *replacement = std::string_view(start, strnlen(start, m_normalized.size() - best_value));
    }
    return best_len;
}

std::string PrecompiledCharsmap::normalize(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        std::string_view rep;
        if (const size_t n = match_prefix(text.substr(i), &rep); n > 0) {
            out.append(rep);
            i += n;
        } else {
            const size_t len = std::min(tok::utf8_len_fast(static_cast<unsigned char>(text[i])), text.size() - i);
            out.append(text.substr(i, len));
            i += len;
        }
    }
    return out;
}

}  // namespace studio
