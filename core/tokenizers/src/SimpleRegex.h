#pragma once
// The regex subset tokenizer.json normalizers use (" {2,}", "\s+", "[\t\n]", "▁+"): a sequence
// of atoms (literal, '.', escape class, [...] class) with greedy quantifiers (? * + {n} {n,}
// {n,m}). Matching is leftmost-first with backtracking whose depth is the atom count, so long
// inputs cannot exhaust the stack (std::regex recurses per character). Anything else
// (alternation, groups, anchors, lazy quantifiers, \p{..}) is rejected at compile time.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace studio::tok {

class SimpleRegex {
public:
    // Throws TokenizerError naming the pattern when it uses unsupported syntax.
    explicit SimpleRegex(std::string_view pattern);

    // Non-overlapping, non-empty matches [begin, end) of valid UTF-8 `s`, left to right.
    std::vector<std::pair<size_t, size_t>> find_all(std::string_view s) const;

private:
    struct Atom {
        enum class Kind { Any, Set } kind{Kind::Set};
        std::vector<std::pair<char32_t, char32_t>> ranges;  // inclusive code point ranges
        std::vector<char> classes;                          // 's', 'd', 'w' (upper case = negated)
        bool negated{false};
        uint32_t min{1}, max{1};
        bool matches(char32_t c) const;
    };

    bool match_at(size_t atom, std::string_view s, size_t pos, size_t* end) const;

    std::string m_pattern;
    std::vector<Atom> m_atoms;
};

}  // namespace studio::tok
