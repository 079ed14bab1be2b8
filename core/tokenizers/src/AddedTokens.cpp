#include "AddedTokens.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "Utf8.h"
#include "studio/Json.h"

namespace studio::tok {

namespace {

char32_t last_char(std::string_view s) {
    size_t i = s.size() - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return utf8_decode(s, i, nullptr);
}

// Start of the whitespace run that ends `s`.
size_t trailing_space_start(std::string_view s) {
    size_t e = s.size();
    while (e > 0) {
        size_t i = e - 1;
        while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
        if (!is_unicode_whitespace(utf8_decode(s, i, nullptr))) break;
        e = i;
    }
    return e;
}

size_t leading_space_len(std::string_view s) {
    size_t i = 0, n = 0;
    while (i < s.size() && is_unicode_whitespace(utf8_decode(s, i, &n))) i += n;
    return i;
}

}  // namespace

AddedTokens::AddedTokens(std::vector<AddedToken> tokens) : m_tokens(std::move(tokens)) {
    for (auto& lists : m_first_byte) lists.assign(256, {});
    for (size_t k = 0; k < m_tokens.size(); ++k) {
        m_by_id[m_tokens[k].id] = k;
        if (m_tokens[k].content.empty()) continue;
        const auto first = static_cast<unsigned char>(m_tokens[k].content[0]);
        m_first_byte[m_tokens[k].normalized ? 1 : 0][first].push_back(k);
    }
    for (auto& lists : m_first_byte)
        for (auto& list : lists)
            std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) {
                return m_tokens[a].content.size() > m_tokens[b].content.size();
            });
}

AddedTokens AddedTokens::from_json(const nlohmann::json& list) {
    std::vector<AddedToken> tokens;
    if (list.is_null()) return AddedTokens(tokens);
    for (const auto& j : list) {
        AddedToken t;
        t.content = j.at("content").get<std::string>();
        t.id = json_get<int64_t>(j.at("id"));
        t.special = j.value("special", false);
        t.lstrip = j.value("lstrip", false);
        t.rstrip = j.value("rstrip", false);
        t.single_word = j.value("single_word", false);
        t.normalized = j.value("normalized", !t.special);
        tokens.push_back(std::move(t));
    }
    return AddedTokens(std::move(tokens));
}

std::vector<Segment> AddedTokens::split(std::string_view text, bool normalized) const {
    std::vector<Segment> out;
    const auto& lists = m_first_byte[normalized ? 1 : 0];
    size_t done = 0;  // end of the last emitted part
    for (size_t i = 0; i < text.size();) {
        const AddedToken* hit = nullptr;
        if (!lists.empty())
            for (size_t k : lists[static_cast<unsigned char>(text[i])])
                if (text.compare(i, m_tokens[k].content.size(), m_tokens[k].content) == 0) {
                    hit = &m_tokens[k];
                    break;
                }
        if (!hit) {
            ++i;
            continue;
        }
        size_t start = i, stop = i + hit->content.size();
        i = stop;
        if (hit->single_word) {
            const bool left_ok = start == 0 || !is_word_char(last_char(text.substr(0, start)));
            const bool right_ok = stop == text.size() || !is_word_char(utf8_decode(text, stop, nullptr));
            if (!left_ok || !right_ok) continue;
        }
        if (hit->lstrip) start = std::max(trailing_space_start(text.substr(0, start)), done);
        if (hit->rstrip) stop += leading_space_len(text.substr(stop));
        if (start > done) out.push_back({std::string(text.substr(done, start - done)), -1, done});
        out.push_back({std::string(text.substr(start, stop - start)), hit->id, start});
        done = i = stop;
    }
    if (done < text.size()) out.push_back({std::string(text.substr(done)), -1, done});
    return out;
}

const AddedToken* AddedTokens::find(int64_t id) const {
    const auto it = m_by_id.find(id);
    return it == m_by_id.end() ? nullptr : &m_tokens[it->second];
}

int64_t AddedTokens::max_id() const {
    int64_t m = -1;
    for (const auto& t : m_tokens) m = std::max(m, t.id);
    return m;
}

}  // namespace studio::tok
