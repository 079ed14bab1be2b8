#pragma once
// Checks on a parsed prompt that the editor shows as the user types.
#include "studio/prompt/PromptDocument.h"

#include <optional>
#include <string>
#include <vector>

namespace studio {

class TagDatabase;

enum class LintSeverity { Error, Warning, Info };

// code is a stable identifier: "parse-error", "unknown-field", "unknown-element", "stray-text",
// "empty-field", "empty-character", "duplicate-tag", "duplicate-field", "exclusive-conflict",
// "numbering-gap", "numbering-duplicate", "count-mismatch", "too-long", "unknown-tag".
struct LintIssue {
    LintSeverity severity{LintSeverity::Warning};
    int line{0};    // 1-based position of the offending element
    int column{0};
    std::string code;
    std::string message;
};

struct PromptValidation {
    std::optional<PromptDocument> document;  // empty when the prompt does not parse
    std::vector<LintIssue> issues;           // sorted by position
    bool ok() const;                         // no Error issue
};

// Parse + lint in one call; never throws (a parse error becomes an Error issue with position).
// token_count < 0 skips the length check.
PromptValidation validate_prompt(const std::string& text, const TagDatabase* tags = nullptr,
                                 int token_count = -1, int token_limit = 512);

std::vector<LintIssue> lint_prompt(const PromptDocument& doc, const TagDatabase* tags = nullptr,
                                   int token_count = -1, int token_limit = 512);

const char* lint_severity_name(LintSeverity severity);  // "error", "warning", "info"

}  // namespace studio
