#pragma once
// Starting points for new prompts, offered by the editor.
#include <string>
#include <vector>

namespace studio {

// "One character", "Two characters", "Three characters", "Scenery", "Plain tags".
std::vector<std::string> prompt_template_names();

// The template text (XML, except "Plain tags"). Throws StudioError for an unknown name.
std::string prompt_template(const std::string& name);

}  // namespace studio
