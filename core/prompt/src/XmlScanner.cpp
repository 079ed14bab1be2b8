#include "XmlScanner.h"

#include "TextUtil.h"
#include "studio/Errors.h"
#include "studio/prompt/PromptDocument.h"

namespace studio::prompt_detail {

namespace {

class Scanner {
public:
    Scanner(std::string_view text, size_t begin) : m_text(text), m_lines(text), m_pos(begin) {
        m_scan.parser_input = std::string(text);
    }

    XmlScan run() {
        const size_t n = m_text.size();
        size_t text_start = m_pos;
        while (m_pos < n) {
            if (m_text[m_pos] != '<') {
                ++m_pos;
                continue;
            }
            record_text(text_start, m_pos);
            scan_markup();
            text_start = m_pos;
        }
        record_text(text_start, n);
        if (!m_stack.empty()) {
            const ScannedTag& open = m_scan.tags[m_stack.back()];
            fail(open.offset, "<" + open.name + "> is never closed (missing </" + open.name + ">)");
        }
        return std::move(m_scan);
    }

private:
    [[noreturn]] void fail(size_t offset, const std::string& message) const {
        throw PromptParseError(message, m_lines.line(offset), m_lines.column(offset));
    }

    std::string where(size_t offset) const {
        return "line " + std::to_string(m_lines.line(offset)) + ", column " + std::to_string(m_lines.column(offset));
    }

    bool starts_with(size_t at, std::string_view s) const { return m_text.substr(at, s.size()) == s; }

    size_t find_or_fail(std::string_view terminator, size_t from, size_t start, const char* what) {
        const size_t end = m_text.find(terminator, from);
        if (end == kNpos) fail(start, std::string(what) + " is not closed with '" + std::string(terminator) + "'");
        return end;
    }

    void blank(size_t from, size_t to) {
        for (size_t i = from; i < to; ++i)
            if (m_scan.parser_input[i] != '\n') m_scan.parser_input[i] = ' ';
    }

    size_t parent() const { return m_stack.empty() ? kNpos : m_stack.back(); }

    void record_text(size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            if (!is_space(m_text[i])) {
                m_scan.texts.push_back({i, parent()});
                return;
            }
        }
    }

    void skip_space() {
        while (m_pos < m_text.size() && is_space(m_text[m_pos])) ++m_pos;
    }

    std::string read_name() {
        const size_t start = m_pos;
        while (m_pos < m_text.size() && is_name_char(static_cast<unsigned char>(m_text[m_pos]))) ++m_pos;
        return std::string(m_text.substr(start, m_pos - start));
    }

    std::string describe(size_t at) const {
        const char c = m_text[at];
        if (c > 0x20 && c < 0x7F) return std::string("'") + c + "'";
        return "a character";
    }

    void scan_markup() {
        const size_t start = m_pos;
        if (starts_with(start, "<!--")) {
            m_pos = find_or_fail("-->", start + 4, start, "comment") + 3;
        } else if (starts_with(start, "<![CDATA[")) {
            const size_t end = find_or_fail("]]>", start + 9, start, "CDATA section");
            if (!is_blank(m_text.substr(start + 9, end - start - 9))) m_scan.texts.push_back({start, parent()});
            m_pos = end + 3;
        } else if (starts_with(start, "<!")) {
            // DOCTYPE / ENTITY are refused before the scan; anything else after "<!" is no XML.
            fail(start, "'<!' starts neither a comment (<!--) nor a CDATA section (<![CDATA[)");
        } else if (starts_with(start, "<?")) {
            m_pos = find_or_fail("?>", start + 2, start, "processing instruction") + 2;
            blank(start, m_pos);
        } else if (starts_with(start, "</")) {
            scan_end_tag();
        } else if (start + 1 < m_text.size() && is_name_start(static_cast<unsigned char>(m_text[start + 1]))) {
            scan_start_tag();
        } else {
            fail(start, "'<' does not start a tag (write &lt; for a literal '<')");
        }
    }

    void scan_start_tag() {
        const size_t start = m_pos++;
        const std::string name = read_name();
        bool empty = false;
        for (;;) {
            skip_space();
            if (m_pos >= m_text.size()) fail(start, "tag <" + name + " is not closed with '>'");
            const char c = m_text[m_pos];
            if (c == '>') {
                ++m_pos;
                break;
            }
            if (c == '/') {
                if (!starts_with(m_pos, "/>")) fail(m_pos, "expected '>' after '/' in <" + name + ">");
                m_pos += 2;
                empty = true;
                break;
            }
            if (!is_name_start(static_cast<unsigned char>(c))) fail(m_pos, "unexpected " + describe(m_pos) + " in <" + name + ">");
            scan_attribute(name);
        }
        m_scan.tags.push_back({name, start, parent()});
        if (!empty) {
            // Bounded here, before tinyxml2 and the tree walk recurse over the nesting.
            if (m_stack.size() >= static_cast<size_t>(kMaxPromptDepth))
                fail(start, "elements are nested more than " + std::to_string(kMaxPromptDepth) + " deep at <" + name + ">");
            m_stack.push_back(m_scan.tags.size() - 1);
        }
    }

    void scan_attribute(const std::string& element) {
        const size_t start = m_pos;
        const std::string attr = read_name();
        skip_space();
        if (m_pos >= m_text.size() || m_text[m_pos] != '=')
            fail(start, "'" + attr + "' in <" + element + "> is not an attribute (name=\"value\")");
        ++m_pos;
        skip_space();
        if (m_pos >= m_text.size() || (m_text[m_pos] != '"' && m_text[m_pos] != '\''))
            fail(start, "the value of attribute '" + attr + "' must be quoted");
        const size_t quote = m_pos;
        const size_t close = m_text.find(m_text[quote], quote + 1);
        const size_t lt = m_text.find('<', quote + 1);
        if (close == kNpos || (lt != kNpos && lt < close))
            fail(quote, "the value of attribute '" + attr + "' is not closed");
        m_pos = close + 1;
    }

    // True when the next markup after `from` (comments skipped) closes `name`.
    bool next_tag_closes(size_t from, const std::string& name) const {
        for (size_t at = m_text.find('<', from); at != kNpos; at = m_text.find('<', at + 1)) {
            if (starts_with(at, "<!--")) {
                const size_t end = m_text.find("-->", at + 4);
                if (end == kNpos) return false;
                at = end + 2;
                continue;
            }
            const std::string closing = "</" + name;
            if (!starts_with(at, closing)) return false;
            const size_t after = at + closing.size();
            return after < m_text.size() && (m_text[after] == '>' || is_space(m_text[after]));
        }
        return false;
    }

    void scan_end_tag() {
        const size_t start = m_pos;
        m_pos += 2;
        if (m_pos >= m_text.size() || !is_name_start(static_cast<unsigned char>(m_text[m_pos])))
            fail(start, "malformed closing tag: expected a name after '</'");
        const std::string name = read_name();
        skip_space();
        if (m_pos >= m_text.size()) fail(start, "closing tag </" + name + " is not closed with '>'");
        if (m_text[m_pos] != '>') fail(m_pos, "unexpected " + describe(m_pos) + " in closing tag </" + name + ">");
        ++m_pos;

        if (m_stack.empty()) fail(start, "</" + name + "> has no matching opening tag");
        const ScannedTag& top = m_scan.tags[m_stack.back()];
        if (top.name == name) {
            m_stack.pop_back();
            return;
        }
        bool open_below = false;
        for (size_t idx : m_stack) open_below = open_below || m_scan.tags[idx].name == name;
        if (!open_below)
            fail(start, "</" + name + "> does not match the open tag <" + top.name + "> (" + where(top.offset) + ")");
        if (next_tag_closes(m_pos, top.name))
            fail(start, "mismatched nesting: </" + name + "> closes <" + name + "> while <" + top.name + "> (" +
                            where(top.offset) + ") is still open");
        fail(top.offset, "<" + top.name + "> is never closed (missing </" + top.name + "> before </" + name + "> at " +
                             where(start) + ")");
    }

    std::string_view m_text;
    LineMap m_lines;
    size_t m_pos;
    std::vector<size_t> m_stack;  // indices of open tags
    XmlScan m_scan;
};

}  // namespace

XmlScan scan_xml(std::string_view text, size_t begin) { return Scanner(text, begin).run(); }

}  // namespace studio::prompt_detail
