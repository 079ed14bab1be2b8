#pragma once
// The "parameters" text of AUTOMATIC1111's WebUI (and Forge, civitai, image boards) that
// exports carry so that other tools can read them: writing it the way A1111 does, and parsing
// it by A1111's own rules.
//
//   <prompt lines>
//   Negative prompt: <negative lines>
//   Steps: 20, Sampler: Euler, CFG scale: 5, Seed: 42, Size: 256x256, Precision: "text=fp32,clip=fp32", ...
//
// The last line holds `key: value` items matched by
//   \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)
// Values that contain a comma, a colon or a newline are written as JSON strings (A1111's quote()).
#include <string>
#include <utility>
#include <vector>

namespace studio {

using InfotextFields = std::vector<std::pair<std::string, std::string>>;

struct Infotext {
    std::string prompt;
    std::string negative;
    InfotextFields fields;  // in the order written; values unquoted

    const std::string* find(const std::string& key) const;  // null when absent
};

// A1111's quote(): the value itself, or a JSON string when it contains ',', ':' or a newline
// (or starts with '"', which the parser would otherwise take for a quote).
std::string infotext_quote(const std::string& value);

// prompt, "Negative prompt: ..." (when not empty) and the settings line.
std::string format_infotext(const Infotext& info);

// A1111's parse_generation_parameters: the last line is the settings line when it holds at least
// three items, otherwise it belongs to the prompt. Never throws; a text without settings gives
// an Infotext with no fields.
Infotext parse_infotext(const std::string& text);

}  // namespace studio
