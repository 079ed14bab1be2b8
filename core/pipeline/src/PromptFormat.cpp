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
