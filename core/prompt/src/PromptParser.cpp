// parse_prompt: the positional scan validates the markup, tinyxml2 builds the tree, and the tree
// is mapped onto PromptDocument with the structure rules of the NewBie format.
#include "studio/prompt/PromptDocument.h"

#include "PromptNames.h"
#include "TextUtil.h"
#include "XmlScanner.h"
#include "studio/Errors.h"

#include <tinyxml2.h>

#include <cctype>
#include <cstdio>
#include <string_view>
#include <unordered_map>

namespace studio {

using namespace prompt_detail;

namespace {

// Synthetic root: NewBie prompts are a sequence of top-level elements.
constexpr const char* kRoot = "studio.prompt.root";

class DocumentBuilder {
public:
    DocumentBuilder(std::string_view text, const XmlScan& scan) : m_lines(text), m_scan(scan) {}

    PromptDocument build(const tinyxml2::XMLElement* root) {
        index_elements(root);
        add_top_level(root, kNpos, true);
        return std::move(m_doc);
    }

private:
    struct Position {
        int line;
        int column;
    };

    // Pairs tinyxml2 elements (pre-order) with the scanned start tags (document order).
    void index_elements(const tinyxml2::XMLElement* root) {
        std::vector<const tinyxml2::XMLElement*> order;
        collect(root, order);
        bool aligned = order.size() == m_scan.tags.size();
        for (size_t i = 0; aligned && i < order.size(); ++i) aligned = m_scan.tags[i].name == order[i]->Name();
        if (!aligned) return;  // positions then fall back to tinyxml2's line numbers
        for (size_t i = 0; i < order.size(); ++i) m_tag_of[order[i]] = i;
    }

    static void collect(const tinyxml2::XMLElement* e, std::vector<const tinyxml2::XMLElement*>& out) {
        for (auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
            out.push_back(c);
            collect(c, out);
        }
    }

    size_t tag_index(const tinyxml2::XMLElement* e) const {
        auto it = m_tag_of.find(e);
        return it == m_tag_of.end() ? kNpos : it->second;
    }

    Position position(const tinyxml2::XMLElement* e) const {
        const size_t idx = tag_index(e);
        if (idx == kNpos) return {e->GetLineNum(), 1};
        const size_t offset = m_scan.tags[idx].offset;
        return {m_lines.line(offset), m_lines.column(offset)};
    }

    // Position of the ordinal-th non-blank text run directly inside the tag `parent`.
    Position text_position(const tinyxml2::XMLNode* node, size_t parent, size_t ordinal) const {
        for (const auto& t : m_scan.texts) {
            if (t.parent == parent && ordinal-- == 0) return {m_lines.line(t.offset), m_lines.column(t.offset)};
        }
        return {node->GetLineNum(), 1};
    }

    [[noreturn]] static void fail(const std::string& message, Position at) {
        throw PromptParseError(message, at.line, at.column);
    }

    static bool is_stray_text(const tinyxml2::XMLNode* node) {
        const auto* text = node->ToText();
        return text && !is_blank(text->Value());
    }

    void add_top_level(const tinyxml2::XMLElement* parent, size_t parent_tag, bool allow_unwrap) {
        size_t texts = 0;
        for (auto* node = parent->FirstChild(); node; node = node->NextSibling()) {
            if (is_stray_text(node)) {
                add_stray_text(trim(node->Value()), text_position(node, parent_tag, texts++));
                continue;
            }
            const auto* e = node->ToElement();
            if (!e) continue;  // comments, declarations
            const std::string name = e->Name();
            int index = 0;
            if (allow_unwrap && name == kImageWrapper && e->FirstChildElement()) {
                add_top_level(e, tag_index(e), false);
            } else if (is_character_element(name, &index)) {
                m_doc.characters.push_back(read_character(e, index));
            } else if (name == kGeneralTags) {
                read_section(e, "<general_tags>", m_doc.general_tags);
            } else {
                m_doc.extra_elements.push_back(read_field(e, nullptr));
            }
        }
    }

    void add_stray_text(std::string text, Position at) {
        // A BOM opening a text run would open the canonical form and be dropped when that is
        // parsed back (a fuzz finding), so it goes here, with any whitespace behind it.
        while (bom_length(text)) text = trim(std::string_view(text).substr(3));
        if (text.empty()) return;
        auto& extras = m_doc.extra_elements;
        // Adjacent runs are written as one, so keep them as one to make the round trip stable.
        if (!extras.empty() && extras.back().name.empty()) {
            extras.back().raw += "\n" + text;
            extras.back().tags = {extras.back().raw};
            return;
        }
        extras.push_back(PromptField{"", {text}, text, at.line, at.column});
    }

    PromptCharacter read_character(const tinyxml2::XMLElement* e, int index) {
        const Position at = position(e);
        PromptCharacter c{index, e->Name(), {}, at.line, at.column};
        read_section(e, "<" + c.element + ">", c.fields);
        return c;
    }

    // Children of <character_N> or <general_tags>: field elements only.
    void read_section(const tinyxml2::XMLElement* e, const std::string& label, std::vector<PromptField>& fields) {
        size_t texts = 0;
        for (auto* node = e->FirstChild(); node; node = node->NextSibling()) {
            if (is_stray_text(node))
                fail("text outside a field in " + label + " (put it inside a field element such as <other>)",
                     text_position(node, tag_index(e), texts++));
            const auto* child = node->ToElement();
            if (!child) continue;
            const std::string name = child->Name();
            if (is_character_element(name))
                fail("<" + name + "> cannot be nested inside " + label, position(child));
            if (name == kGeneralTags) fail("<general_tags> cannot be inside " + label, position(child));
            fields.push_back(read_field(child, &label));
        }
    }

    // A field holds text only. `section` is null for top-level elements.
    PromptField read_field(const tinyxml2::XMLElement* e, const std::string* section) const {
        const std::string name = e->Name();
        std::string text;
        for (auto* node = e->FirstChild(); node; node = node->NextSibling()) {
            if (const auto* child = node->ToElement()) {
                const std::string child_name = child->Name();
                if (is_character_element(child_name) || child_name == kGeneralTags)
                    fail("<" + child_name + "> cannot be inside the field <" + name + ">", position(child));
                if (section)
                    fail("the field <" + name + "> in " + *section + " cannot contain elements (found <" +
                             child_name + ">)",
                         position(child));
                fail("<" + name + "> cannot contain elements (found <" + child_name +
                         ">); only <character_N> and <general_tags> hold fields",
                     position(child));
            }
            if (const auto* t = node->ToText()) text += t->Value();
        }
        const Position at = position(e);
        PromptField f{name, {}, trim(text), at.line, at.column};
        f.tags = split_tags(f.raw, name);
        return f;
    }

    LineMap m_lines;
    const XmlScan& m_scan;
    std::unordered_map<const tinyxml2::XMLElement*, size_t> m_tag_of;
    PromptDocument m_doc;
};

}  // namespace

bool looks_like_xml(const std::string& text) {
    const size_t n = text.size();
    for (size_t at = text.find('<'); at != kNpos; at = text.find('<', at + 1)) {
        size_t p = at + 1;
        if (p < n && text[p] == '/') ++p;
        if (p >= n || !is_name_start(static_cast<unsigned char>(text[p]))) continue;
        while (p < n && is_name_char(static_cast<unsigned char>(text[p]))) ++p;
        if (p >= n || !(text[p] == '>' || text[p] == '/' || is_space(text[p]))) continue;
        const size_t close = text.find('>', p);
        const size_t next_open = text.find('<', p);
        if (close != kNpos && close < next_open) return true;
    }
    return false;
}

namespace {
// Case-insensitive search for a declaration keyword right after "<!".
size_t find_declaration(const std::string& text, std::string_view keyword) {
    for (size_t at = text.find("<!"); at != kNpos; at = text.find("<!", at + 2)) {
        if (text.size() - at - 2 < keyword.size()) return kNpos;
        bool match = true;
        for (size_t i = 0; match && i < keyword.size(); ++i)
            match = std::toupper(static_cast<unsigned char>(text[at + 2 + i])) == keyword[i];
        if (match) return at;
    }
    return kNpos;
}
}  // namespace

void check_prompt_text(const std::string& text) {
    if (text.size() > kMaxPromptBytes)
        throw PromptParseError("the prompt is " + std::to_string(text.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxPromptBytes) + " bytes",
                               1, 1);
    if (const size_t bad = find_invalid_utf8(text); bad != kNpos) {
        const LineMap lines(text);
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
        throw PromptParseError("the prompt is not valid UTF-8: byte " + std::string(byte) + " at byte offset " +
                                   std::to_string(bad),
                               lines.line(bad), lines.column(bad));
    }
    if (const size_t nul = text.find('\0'); nul != kNpos) {
        const LineMap lines(text);
        throw PromptParseError("the prompt contains a NUL byte (byte offset " + std::to_string(nul) + ")",
                               lines.line(nul), lines.column(nul));
    }
    for (std::string_view keyword : {std::string_view("DOCTYPE"), std::string_view("ENTITY")}) {
        if (const size_t at = find_declaration(text, keyword); at != kNpos) {
            const LineMap lines(text);
            throw PromptParseError("<!" + std::string(keyword) +
                                       "> declarations are not allowed in a prompt (no DTDs, no entity definitions)",
                                   lines.line(at), lines.column(at));
        }
    }
}

PromptDocument parse_prompt(const std::string& text) {
    check_prompt_text(text);
    const size_t begin = bom_length(text);
    // Every leading BOM goes: one kept in the text would be stripped again when the canonical
    // form is parsed back, and BOMs before nothing but blanks are an empty prompt (fuzz findings).
    size_t start = begin;
    while (bom_length(std::string_view(text).substr(start))) start += 3;
    if (is_blank(std::string_view(text).substr(start))) throw PromptParseError("prompt is empty", 1, 1);

    PromptDocument doc;
    if (!looks_like_xml(text)) {
        doc.is_xml = false;
        doc.plain_text = text.substr(start);
        return doc;
    }

    const XmlScan scan = scan_xml(text, begin);
    // The root goes on line 1 and blanked markup keeps its newlines, so tinyxml2's lines match.
    const std::string input = std::string("<") + kRoot + ">" + scan.parser_input.substr(begin) + "</" + kRoot + ">";
    tinyxml2::XMLDocument xml(true, tinyxml2::PRESERVE_WHITESPACE);
    if (xml.Parse(input.data(), input.size()) != tinyxml2::XML_SUCCESS) {
        const int line = xml.ErrorLineNum() > 0 ? xml.ErrorLineNum() : 1;
        throw PromptParseError(std::string("malformed XML (") + xml.ErrorName() + ")", line, 1);
    }
    PromptDocument doc_xml = DocumentBuilder(text, scan).build(xml.RootElement());
    // Tag-like text only inside comments or processing instructions: no element at all would
    // serialise as plain text and parse back as another document.
    bool has_element = !doc_xml.characters.empty() || !doc_xml.general_tags.empty();
    for (const auto& f : doc_xml.extra_elements) has_element = has_element || !f.name.empty();
    if (!has_element) {
        const LineMap lines(text);
        const size_t lt = text.find('<', begin);
        throw PromptParseError("the XML prompt has no element outside comments and processing instructions",
                               lines.line(lt == kNpos ? begin : lt), lines.column(lt == kNpos ? begin : lt));
    }
    return doc_xml;
}

}  // namespace studio
