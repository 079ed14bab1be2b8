#pragma once
// NewBie XML prompts: the document model, the parser and the canonical writer.
//
// A NewBie prompt is a sequence of top-level elements without a single root:
//   <character_1> <n>..</n> <gender>1girl</gender> <appearance>blue_hair, ..</appearance> </character_1>
//   <general_tags> <count>1girl</count> <style>..</style> .. </general_tags>
// optionally wrapped in <image>..</image>. Field values are comma-separated Danbooru-style tags.
#include <string>
#include <vector>

namespace studio {

// One field element (<appearance>, <count>, ...) and its tags.
struct PromptField {
    std::string name;
    std::vector<std::string> tags;  // trimmed, in order; underscores and \( \) escapes kept
    std::string raw;                // the text as written (entities decoded, trimmed)
    int line{0};                    // 1-based position of the element's '<'; 0 = not parsed
    int column{0};                  // in Unicode code points
};

struct PromptCharacter {
    int index{0};         // N of <character_N>
    std::string element;  // the element name as written
    std::vector<PromptField> fields;
    int line{0};
    int column{0};

    const PromptField* find(const std::string& name) const;
    PromptField& field(const std::string& name);  // appends an empty field when missing
};

struct PromptDocument {
    bool is_xml{true};
    std::string plain_text;                  // plain-text (non-XML) prompts are kept as such
    std::vector<PromptCharacter> characters;  // character_N in document order
    std::vector<PromptField> general_tags;    // children of <general_tags>, in order
    // Other top-level elements (e.g. a leading <style> or <caption>), in order. Text outside any
    // element is kept here too, as an entry with an empty name.
    std::vector<PromptField> extra_elements;

    const PromptField* general(const std::string& name) const;
};

// Semantic equality: element names, tags and their order. Positions, raw text and the spelling
// of character element names are not compared, so parse(serialize(d)) == d.
bool operator==(const PromptField& a, const PromptField& b);
bool operator==(const PromptCharacter& a, const PromptCharacter& b);
bool operator==(const PromptDocument& a, const PromptDocument& b);
inline bool operator!=(const PromptField& a, const PromptField& b) { return !(a == b); }
inline bool operator!=(const PromptCharacter& a, const PromptCharacter& b) { return !(a == b); }
inline bool operator!=(const PromptDocument& a, const PromptDocument& b) { return !(a == b); }

// True when the text contains at least one tag-like token (<name ...> or </name>).
bool looks_like_xml(const std::string& text);

// Limits every prompt is held to, XML or not: a prompt is text typed by a person.
constexpr size_t kMaxPromptBytes = 1u << 20;  // 1 MiB
constexpr int kMaxPromptDepth = 32;            // element nesting (NewBie prompts use 2 or 3)

// The checks that hold for any prompt, XML or plain: at most kMaxPromptBytes, valid UTF-8, no
// NUL byte, no <!DOCTYPE> or <!ENTITY> declaration (entity expansion is never wanted in a
// prompt). Throws PromptParseError with the line and column of the offending byte.
void check_prompt_text(const std::string& text);

// Parses a prompt. Plain text gives is_xml=false with plain_text kept verbatim.
// Throws PromptParseError with a 1-based line and column (code points) on malformed XML,
// wrong structure, an empty prompt, nesting deeper than kMaxPromptDepth, or anything
// check_prompt_text refuses.
PromptDocument parse_prompt(const std::string& text);

// Canonical XML: extra elements, then characters, then <general_tags>; one field per line,
// two-space indent, tags joined with ", ", XML special characters escaped, no <image> wrapper.
// Plain-text documents give their text back. Throws StudioError on an invalid element name.
std::string serialize_prompt(const PromptDocument& doc);

// Splits a field value into tags at commas (ASCII or full-width) and line breaks; trims
// whitespace and drops empty entries. Free-text fields (see is_free_text_field) are not split.
std::vector<std::string> split_tags(const std::string& text, const std::string& field = {});
std::string join_tags(const std::vector<std::string>& tags);

// Fields that hold natural language rather than tags (<caption>).
bool is_free_text_field(const std::string& name);

// n, gender, appearance, clothing, expression, action, position, interaction, body_type
const std::vector<std::string>& known_character_fields();
// count, style, background, atmosphere, quality, objects, other, artists, environment,
// perspective, lighting, caption, resolution
const std::vector<std::string>& known_general_fields();

}  // namespace studio
