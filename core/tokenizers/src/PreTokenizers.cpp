#include "PreTokenizers.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "Utf8.h"
#include "studio/Errors.h"

namespace studio::tok {

std::vector<Piece> split_piece(const Piece& piece, const std::vector<Range>& matches, SplitBehavior behavior,
                               bool invert) {
    // The whole text as alternating (range, is_match) parts.
    std::vector<std::pair<Range, bool>> parts;
    size_t pos = 0;
    for (const auto& m : matches) {
        if (m.first > pos) parts.push_back({{pos, m.first}, invert});
        parts.push_back({m, !invert});
        pos = m.second;
    }
    if (pos < piece.text.size()) parts.push_back({{pos, piece.text.size()}, invert});

    std::vector<Range> kept;
    bool previous_match = false;
    switch (behavior) {
        case SplitBehavior::Removed:
            for (const auto& [r, is_match] : parts)
                if (!is_match) kept.push_back(r);
            break;
        case SplitBehavior::Isolated:
            for (const auto& p : parts) kept.push_back(p.first);
            break;
        case SplitBehavior::MergedWithPrevious:
            for (const auto& [r, is_match] : parts) {
                if (is_match && !previous_match && !kept.empty())
                    kept.back().second = r.second;
                else
                    kept.push_back(r);
                previous_match = is_match;
            }
            break;
        case SplitBehavior::MergedWithNext:
            for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
                const auto& [r, is_match] = *it;
                if (is_match && !previous_match && !kept.empty())
                    kept.back().first = r.first;
                else
                    kept.push_back(r);
                previous_match = is_match;
            }
            std::reverse(kept.begin(), kept.end());
            break;
        case SplitBehavior::Contiguous:
            for (const auto& [r, is_match] : parts) {
                if (is_match == previous_match && !kept.empty())
                    kept.back().second = r.second;
                else
                    kept.push_back(r);
                previous_match = is_match;
            }
            break;
    }
    std::vector<Piece> out;
    for (const auto& [b, e] : kept)
        if (e > b) out.push_back({piece.text.substr(b, e - b), piece.at_start && b == 0});
    return out;
}

namespace {

class SequencePreTokenizer : public PreTokenizer {
public:
    explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) : m_steps(std::move(steps)) {}
    std::vector<Piece> apply(std::vector<Piece> pieces) const override {
        for (const auto& s : m_steps) pieces = s->apply(std::move(pieces));
        return pieces;
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_steps;
};

enum class PrependScheme { Always, First, Never };

// Spaces become the replacement (U+2581), which is prepended per the scheme; with `split`
// each replacement starts a new word.
class MetaspacePreTokenizer : public PreTokenizer {
public:
    MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
        : m_rep(std::move(replacement)), m_scheme(scheme), m_split(split) {}

    std::vector<Piece> apply(std::vector<Piece> pieces) const override {
        std::vector<Piece> out;
        for (auto& p : pieces) {
            replace_all(p.text, " ", m_rep);
            const bool prepend = m_scheme == PrependScheme::Always || (m_scheme == PrependScheme::First && p.at_start);
            if (prepend && !p.text.empty() && p.text.compare(0, m_rep.size(), m_rep) != 0) p.text = m_rep + p.text;
            if (!m_split) {
                if (!p.text.empty()) out.push_back(std::move(p));
                continue;
            }
            for (auto& part : split_piece(p, Pattern::literal(m_rep).find_all(p.text), SplitBehavior::MergedWithNext))
                out.push_back(std::move(part));
        }
        return out;
    }

private:
    std::string m_rep;
    PrependScheme m_scheme;
    bool m_split;
};

class SplitPreTokenizer : public PreTokenizer {
public:
    SplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
        : m_pattern(std::move(pattern)), m_behavior(behavior), m_invert(invert) {}

    std::vector<Piece> apply(std::vector<Piece> pieces) const override {
        std::vector<Piece> out;
        for (const auto& p : pieces)
            for (auto& part : split_piece(p, m_pattern.find_all(p.text), m_behavior, m_invert))
                out.push_back(std::move(part));
        return out;
    }

private:
    Pattern m_pattern;
    SplitBehavior m_behavior;
    bool m_invert;
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
public:
    std::vector<Piece> apply(std::vector<Piece> pieces) const override {
        std::vector<Piece> out;
        for (const auto& p : pieces) {
            std::vector<Range> spaces;
            for (size_t i = 0, n = 0; i < p.text.size(); i += n)
                if (is_unicode_whitespace(utf8_decode(p.text, i, &n))) spaces.emplace_back(i, i + n);
            for (auto& part : split_piece(p, spaces, SplitBehavior::Removed)) out.push_back(std::move(part));
        }
        return out;
    }
};

SplitBehavior parse_behavior(const std::string& s) {
    if (s == "Removed") return SplitBehavior::Removed;
    if (s == "Isolated") return SplitBehavior::Isolated;
    if (s == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (s == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (s == "Contiguous") return SplitBehavior::Contiguous;
    throw TokenizerError("unknown split behavior '" + s + "'");
}

PrependScheme parse_scheme(const nlohmann::json& j) {
    if (j.contains("prepend_scheme")) {
        const auto s = j.at("prepend_scheme").get<std::string>();
        if (s == "always") return PrependScheme::Always;
        if (s == "first") return PrependScheme::First;
        if (s == "never") return PrependScheme::Never;
        throw TokenizerError("unknown Metaspace prepend_scheme '" + s + "'");
    }
    // Files written before prepend_scheme existed.
    return j.value("add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
}

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j) {
    if (j.is_null()) return nullptr;
    const auto type = j.at("type").get<std::string>();
    if (type == "Sequence") {
        std::vector<std::unique_ptr<PreTokenizer>> steps;
        for (const auto& s : j.at("pretokenizers"))
            if (auto p = make_pre_tokenizer(s)) steps.push_back(std::move(p));
        return std::make_unique<SequencePreTokenizer>(std::move(steps));
    }
    if (type == "Metaspace")
        return std::make_unique<MetaspacePreTokenizer>(j.value("replacement", std::string("\xE2\x96\x81")),
                                                       parse_scheme(j), j.value("split", true));
    if (type == "Split")
        return std::make_unique<SplitPreTokenizer>(Pattern::from_json(j.at("pattern")),
                                                   parse_behavior(j.at("behavior").get<std::string>()),
                                                   j.value("invert", false));
    if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplitPreTokenizer>();
    throw TokenizerError("unsupported pre_tokenizer type '" + type + "'");
}

}  // namespace studio::tok
