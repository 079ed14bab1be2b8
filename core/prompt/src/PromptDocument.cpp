#include "studio/prompt/PromptDocument.h"

#include "PromptNames.h"
#include "TextUtil.h"
#include "studio/Errors.h"

#include <algorithm>

namespace studio {

using namespace prompt_detail;

const PromptField* PromptCharacter::find(const std::string& name) const {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const PromptField& f) { return f.name == name; });
    return it == fields.end() ? nullptr : &*it;
}

PromptField& PromptCharacter::field(const std::string& name) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const PromptField& f) { return f.name == name; });
    if (it != fields.end()) return *it;
    fields.push_back(PromptField{name, {}, {}, 0, 0});
    return fields.back();
}

const PromptField* PromptDocument::general(const std::string& name) const {
    auto it = std::find_if(general_tags.begin(), general_tags.end(),
                           [&](const PromptField& f) { return f.name == name; });
    return it == general_tags.end() ? nullptr : &*it;
}

bool operator==(const PromptField& a, const PromptField& b) { return a.name == b.name && a.tags == b.tags; }

bool operator==(const PromptCharacter& a, const PromptCharacter& b) {
    return a.index == b.index && a.fields == b.fields;
}

bool operator==(const PromptDocument& a, const PromptDocument& b) {
    return a.is_xml == b.is_xml && a.plain_text == b.plain_text && a.characters == b.characters &&
           a.general_tags == b.general_tags && a.extra_elements == b.extra_elements;
}

const std::vector<std::string>& known_character_fields() {
    static const std::vector<std::string> names{"n",      "gender",   "appearance",  "clothing", "expression",
                                                "action", "position", "interaction", "body_type"};
    return names;
}

const std::vector<std::string>& known_general_fields() {
    static const std::vector<std::string> names{"count",      "style",       "background", "atmosphere", "quality",
                                                "objects",    "other",       "artists",    "environment",
                                                "perspective", "lighting",   "caption",    "resolution"};
    return names;
}

bool is_free_text_field(const std::string& name) { return name == "caption"; }

std::vector<std::string> split_tags(const std::string& text, const std::string& field) {
    std::vector<std::string> tags;
    if (is_free_text_field(field)) {
        std::string t = trim(text);
        if (!t.empty()) tags.push_back(std::move(t));
        return tags;
    }
    static const std::string kWideComma = "\xEF\xBC\x8C";  // U+FF0C, typed by CJK input methods
    size_t start = 0;
    for (size_t i = 0; i <= text.size();) {
        size_t sep_len = 0;
        if (i == text.size() || text[i] == ',' || text[i] == '\n') sep_len = 1;
        else if (text.compare(i, kWideComma.size(), kWideComma) == 0) sep_len = kWideComma.size();
        if (sep_len == 0) {
            ++i;
            continue;
        }
        std::string t = trim(std::string_view(text).substr(start, i - start));
        if (!t.empty()) tags.push_back(std::move(t));
        i += sep_len;
        start = i;
    }
    return tags;
}

std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& tag : tags) {
        std::string t = trim(tag);
        if (t.empty()) continue;
        if (!out.empty()) out += ", ";
        out += t;
    }
    return out;
}

namespace {

std::string field_xml(const PromptField& f, const char* indent) {
    if (!is_xml_name(f.name) || is_character_element(f.name) || f.name == kGeneralTags)
        throw StudioError("cannot write the prompt field '" + f.name + "': not a valid field element name");
    return std::string(indent) + "<" + f.name + ">" + xml_escape(join_tags(f.tags)) + "</" + f.name + ">";
}

}  // namespace

std::string serialize_prompt(const PromptDocument& doc) {
    if (!doc.is_xml) return doc.plain_text;
    std::vector<std::string> lines;
    for (const auto& extra : doc.extra_elements) {
        if (!extra.name.empty()) lines.push_back(field_xml(extra, ""));
        else if (std::string text = join_tags(extra.tags); !text.empty()) lines.push_back(xml_escape(text));
    }
    for (const auto& c : doc.characters) {
        if (c.index < 0) throw StudioError("cannot write character number " + std::to_string(c.index));
        const std::string element = character_element(c.index);
        lines.push_back("<" + element + ">");
        for (const auto& f : c.fields) lines.push_back(field_xml(f, "  "));
        lines.push_back("</" + element + ">");
    }
    if (!doc.general_tags.empty()) {
        lines.push_back(std::string("<") + kGeneralTags + ">");
        for (const auto& f : doc.general_tags) lines.push_back(field_xml(f, "  "));
        lines.push_back(std::string("</") + kGeneralTags + ">");
    }
    std::string out;
    for (const auto& line : lines) {
        if (!out.empty()) out += '\n';
        out += line;
    }
    return out;
}

}  // namespace studio
