#include "studio/prompt/PromptLint.h"

#include "PromptNames.h"
#include "studio/Errors.h"
#include "studio/prompt/TagDatabase.h"

#include <algorithm>
#include <map>
#include <set>

namespace studio {

using namespace prompt_detail;

namespace {

// Accepted inside <general_tags> (and at top level) without a warning: the community builders
// emit them, though they are not part of the documented field list.
const std::set<std::string> kAlsoAcceptedGeneral{"extra_tags", "body_type"};

// Fields whose values are names or free text, not Danbooru tags.
const std::set<std::string> kNoTagCheck{"n", "caption", "artists"};

// Tags that make two colours in one character legitimate.
const std::map<std::string, std::set<std::string>> kMultiColour{
    {"hair_color",
     {"multicolored_hair", "two-tone_hair", "gradient_hair", "streaked_hair", "split-color_hair",
      "colored_inner_hair", "colored_tips", "rainbow_hair"}},
    {"eye_color", {"heterochromia", "multicolored_eyes", "gradient_eyes"}},
};

bool contains(const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

class Linter {
public:
    Linter(const TagDatabase* tags) : m_db(tags && tags->size() > 0 ? tags : nullptr) {}

    std::vector<LintIssue> run(const PromptDocument& doc, int token_count, int token_limit) {
        if (token_count >= 0 && token_count > token_limit)
            add(LintSeverity::Warning, 1, 1, "too-long",
                "the prompt uses " + std::to_string(token_count) + " tokens; the text encoder keeps " +
                    std::to_string(token_limit) + " and drops the rest");
        if (doc.is_xml) lint_xml(doc);
        std::stable_sort(m_issues.begin(), m_issues.end(), [](const LintIssue& a, const LintIssue& b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        return std::move(m_issues);
    }

private:
    void add(LintSeverity severity, int line, int column, std::string code, std::string message) {
        m_issues.push_back(LintIssue{severity, line, column, std::move(code), std::move(message)});
    }
    void add(LintSeverity severity, const PromptField& at, std::string code, std::string message) {
        add(severity, at.line, at.column, std::move(code), std::move(message));
    }

    void lint_xml(const PromptDocument& doc) {
        for (const auto& extra : doc.extra_elements) {
            if (extra.name.empty()) {
                add(LintSeverity::Warning, extra, "stray-text", "text outside any element");
                continue;
            }
            if (!contains(known_general_fields(), extra.name) && !kAlsoAcceptedGeneral.count(extra.name))
                add(LintSeverity::Warning, extra, "unknown-element", "unknown top-level element <" + extra.name + ">");
            lint_field(extra);
        }
        lint_numbering(doc.characters);
        for (const auto& c : doc.characters) lint_character(c);
        lint_section(doc.general_tags, "<general_tags>", known_general_fields());
        lint_count(doc);
    }

    void lint_section(const std::vector<PromptField>& fields, const std::string& label,
                      const std::vector<std::string>& known) {
        std::map<std::string, const PromptField*> seen;
        for (const auto& f : fields) {
            const bool accepted = contains(known, f.name) || (label == "<general_tags>" && kAlsoAcceptedGeneral.count(f.name));
            if (!accepted) add(LintSeverity::Warning, f, "unknown-field", "unknown field <" + f.name + "> in " + label);
            if (auto [it, inserted] = seen.emplace(f.name, &f); !inserted)
                add(LintSeverity::Warning, f, "duplicate-field",
                    "<" + f.name + "> appears twice in " + label + " (first at line " + std::to_string(it->second->line) + ")");
            lint_field(f);
        }
    }

    void lint_field(const PromptField& f) {
        if (f.tags.empty()) {
            add(LintSeverity::Warning, f, "empty-field", "<" + f.name + "> is empty");
            return;
        }
        if (is_free_text_field(f.name)) return;
        std::set<std::string> seen;
        for (const auto& tag : f.tags) {
            if (!seen.insert(normalize_tag(tag)).second)
                add(LintSeverity::Warning, f, "duplicate-tag", "'" + tag + "' appears twice in <" + f.name + ">");
        }
        if (!m_db || kNoTagCheck.count(f.name)) return;
        for (const auto& tag : f.tags) {
            if (tag.rfind("artist:", 0) == 0 || tag.find('$') != std::string::npos) continue;
            if (!m_db->find(tag))
                add(LintSeverity::Info, f, "unknown-tag", "'" + tag + "' is not in the tag list (<" + f.name + ">)");
        }
    }

    void lint_character(const PromptCharacter& c) {
        const std::string label = "<" + character_element(c.index) + ">";
        if (c.fields.empty()) add(LintSeverity::Warning, c.line, c.column, "empty-character", label + " has no fields");
        lint_section(c.fields, label, known_character_fields());
        if (m_db) lint_exclusive(c, label);
    }

    // Two hair colours (or eye colours) in one character, unless a multi-colour tag explains it.
    void lint_exclusive(const PromptCharacter& c, const std::string& label) {
        std::set<std::string> all;
        for (const auto& f : c.fields)
            for (const auto& tag : f.tags) all.insert(normalize_tag(tag));
        std::map<std::string, std::pair<std::string, const PromptField*>> first;  // category -> tag, field
        for (const auto& f : c.fields) {
            if (kNoTagCheck.count(f.name)) continue;
            for (const auto& tag : f.tags) {
                const TagInfo* info = m_db->find(tag);
                if (!info || !TagDatabase::is_exclusive_category(info->category)) continue;
                auto [it, inserted] = first.emplace(info->category, std::make_pair(info->tag, &f));
                if (inserted || it->second.first == info->tag) continue;
                auto allow = kMultiColour.find(info->category);
                if (allow != kMultiColour.end() &&
                    std::any_of(allow->second.begin(), allow->second.end(), [&](const std::string& t) { return all.count(t) > 0; }))
                    continue;
                add(LintSeverity::Warning, f, "exclusive-conflict",
                    label + " has two " + info->category + " tags: " + it->second.first + " (line " +
                        std::to_string(it->second.second->line) + ") and " + info->tag);
            }
        }
    }

    void lint_numbering(const std::vector<PromptCharacter>& characters) {
        std::map<int, const PromptCharacter*> first;
        for (const auto& c : characters) {
            auto [it, inserted] = first.emplace(c.index, &c);
            if (!inserted)
                add(LintSeverity::Warning, c.line, c.column, "numbering-duplicate",
                    character_element(c.index) + " is used twice (first at line " + std::to_string(it->second->line) + ")");
        }
        int expected = 1;
        for (const auto& [index, c] : first) {  // ascending
            if (index < 1) {
                add(LintSeverity::Warning, c->line, c->column, "numbering-gap",
                    character_element(index) + ": characters are numbered from character_1");
                continue;
            }
            if (index > expected) {
                std::string missing = character_element(expected);
                if (index - expected > 1) missing += " to " + character_element(index - 1);
                add(LintSeverity::Warning, c->line, c->column, "numbering-gap",
                    "character numbering skips " + missing + " before " + character_element(index));
            }
            expected = index + 1;
        }
    }

    // <count> 2girls, 1boy against the number of <character_N> blocks.
    void lint_count(const PromptDocument& doc) {
        const PromptField* count = doc.general("count");
        if (!count || doc.characters.empty()) return;
        int total = 0;
        bool solo = false;
        for (const auto& tag : count->tags) {
            const std::string t = normalize_tag(tag);
            if (t == "solo") solo = true;
            size_t digits = 0;
            while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
            if (digits == 0 || digits > 2) continue;
            const std::string noun = t.substr(digits);
            if (noun == "girl" || noun == "girls" || noun == "boy" || noun == "boys" || noun == "other" || noun == "others")
                total += std::stoi(t.substr(0, digits));
            else if (!noun.empty() && noun[0] == '+')
                return;  // "6+girls": no exact number
        }
        if (total == 0 && solo) total = 1;
        const int described = static_cast<int>(doc.characters.size());
        if (total > 0 && total != described)
            add(LintSeverity::Info, *count, "count-mismatch",
                "<count> says " + std::to_string(total) + (total == 1 ? " person" : " people") + " but the prompt describes " +
                    std::to_string(described) + (described == 1 ? " character" : " characters"));
    }

    const TagDatabase* m_db;
    std::vector<LintIssue> m_issues;
};

// PromptParseError::what() carries "line L, column C: "; the issue has its own fields for that.
std::string without_position(const std::string& what) {
    if (what.rfind("line ", 0) != 0) return what;
    const size_t colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

bool PromptValidation::ok() const {
    return std::none_of(issues.begin(), issues.end(), [](const LintIssue& i) { return i.severity == LintSeverity::Error; });
}

const char* lint_severity_name(LintSeverity severity) {
    switch (severity) {
    case LintSeverity::Error: return "error";
    case LintSeverity::Warning: return "warning";
    case LintSeverity::Info: return "info";
    }
    return "info";
}

std::vector<LintIssue> lint_prompt(const PromptDocument& doc, const TagDatabase* tags, int token_count, int token_limit) {
    return Linter(tags).run(doc, token_count, token_limit);
}

PromptValidation validate_prompt(const std::string& text, const TagDatabase* tags, int token_count, int token_limit) {
    PromptValidation result;
    try {
        result.document = parse_prompt(text);
        result.issues = lint_prompt(*result.document, tags, token_count, token_limit);
        return result;
    } catch (const PromptParseError& e) {
        result.issues.push_back({LintSeverity::Error, e.line(), e.column(), "parse-error", without_position(e.what())});
    } catch (const std::exception& e) {
        result.issues.push_back({LintSeverity::Error, 0, 0, "parse-error", e.what()});
    } catch (...) {
        result.issues.push_back({LintSeverity::Error, 0, 0, "parse-error", "the prompt could not be read"});
    }
    result.document.reset();
    // The length check does not need a parsed document.
    PromptDocument plain;
    plain.is_xml = false;
    for (auto& issue : lint_prompt(plain, nullptr, token_count, token_limit)) result.issues.push_back(std::move(issue));
    return result;
}

}  // namespace studio
