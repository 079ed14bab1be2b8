#pragma once
// A positional pass over the prompt's markup (internal). tinyxml2 reports only line numbers and
// stops at the first problem with a generic message; this pass finds the exact byte offset of
// malformed tags and nesting errors, and records where each element and text run starts so that
// the tinyxml2 tree can be mapped back to line and column.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace studio::prompt_detail {

struct ScannedTag {
    std::string name;
    size_t offset{0};   // of '<'
    size_t parent{0};   // index of the enclosing tag, kNpos at top level
};

struct ScannedText {
    size_t offset{0};  // first non-blank byte of a text or CDATA run
    size_t parent{0};  // index of the enclosing tag, kNpos at top level
};

struct XmlScan {
    std::vector<ScannedTag> tags;    // start and empty-element tags in document order
    std::vector<ScannedText> texts;  // non-blank text runs in document order
    std::string parser_input;        // the text with processing instructions and DOCTYPEs blanked
};

// Scans text[begin..]; throws PromptParseError (line/column from offsets) on malformed markup.
XmlScan scan_xml(std::string_view text, size_t begin);

}  // namespace studio::prompt_detail
