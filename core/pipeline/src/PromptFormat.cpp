#include "studio/PromptFormat.h"

namespace studio {

// Both end in "<Prompt Start> " (with the trailing space) exactly as in the training data.
const char* const kXmlSystemPrompt =
    "You are an assistant designed to generate high-quality anime images based on xml format prompts. <Prompt Start> ";
const char* const kTextSystemPrompt =
    "You are an assistant designed to generate high-quality anime images with the highest degree of image-text "
    "alignment based on textual prompts. <Prompt Start> ";

bool prompt_is_xml(const std::string& prompt) {
    const auto first = prompt.find_first_not_of(" \t\r\n");
    return first != std::string::npos && prompt[first] == '<';
}

std::string compact_xml_layout(const std::string& prompt) {
    if (!prompt_is_xml(prompt)) return prompt;
    static const char* const kSpace = " \t\r\n";
    std::string out;
    out.reserve(prompt.size());
    size_t pos = 0;
    while (pos < prompt.size()) {
        const size_t open = prompt.find('<', pos);
        const size_t text_end = open == std::string::npos ? prompt.size() : open;
        // Text between two tags (or before the first / after the last): trimmed.
        const size_t first = prompt.find_first_not_of(kSpace, pos);
        if (first != std::string::npos && first < text_end) {
            const size_t last = prompt.find_last_not_of(kSpace, text_end - 1);
            out.append(prompt, first, last + 1 - first);
        }
        if (open == std::string::npos) break;
        const size_t close = prompt.find('>', open);
        const size_t tag_end = close == std::string::npos ? prompt.size() : close + 1;
        out.append(prompt, open, tag_end - open);
        pos = tag_end;
    }
    return out;
}

std::string gemma_input_text(const std::string& prompt, SystemPromptMode mode, const std::string& custom) {
    if (prompt.empty()) return {};  // unconditional branch: no system prompt either
    switch (mode) {
        case SystemPromptMode::None: return prompt;
        case SystemPromptMode::Custom: return custom.empty() ? prompt : custom + " <Prompt Start> " + prompt;
        case SystemPromptMode::Training:
        default: return std::string(prompt_is_xml(prompt) ? kXmlSystemPrompt : kTextSystemPrompt) + prompt;
    }
}

}  // namespace studio
