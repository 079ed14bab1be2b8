#pragma once
// The {"String": ...} / {"Regex": ...} patterns of tokenizer.json Replace and Split steps.
// Regexes are limited to the SimpleRegex subset; others are rejected at load.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "SimpleRegex.h"

namespace studio::tok {

using Range = std::pair<size_t, size_t>;  // [begin, end) in bytes

class Pattern {
public:
    static Pattern from_json(const nlohmann::json& j);
    static Pattern literal(std::string s);

    // Non-overlapping, non-empty matches from left to right.
    std::vector<Range> find_all(std::string_view s) const;
    std::string replace_all(std::string_view s, std::string_view content) const;

private:
    std::string m_literal;
    std::shared_ptr<const SimpleRegex> m_regex;  // null: literal
};

}  // namespace studio::tok
