#pragma once
// What text goes into each encoder (architecture.md §3.1). Training format by default:
// Gemma gets the training system prompt (the XML one for XML prompts) + the prompt;
// Jina always gets the raw prompt; an empty prompt stays empty (the unconditional branch).
#include <string>

#include "studio/Generation.h"

namespace studio {

extern const char* const kXmlSystemPrompt;
extern const char* const kTextSystemPrompt;

bool prompt_is_xml(const std::string& prompt);
// An XML prompt without the layout whitespace: whitespace-only runs between tags are dropped and
// tag contents trimmed ("<a>\n  <b> x </b>\n</a>" -> "<a><b>x</b></a>"). Plain text is returned as is.
std::string compact_xml_layout(const std::string& prompt);
std::string gemma_input_text(const std::string& prompt, SystemPromptMode mode, const std::string& custom = {});
inline std::string jina_input_text(const std::string& prompt) { return prompt; }

}  // namespace studio
