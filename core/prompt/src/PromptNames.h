#pragma once
// Element names of the NewBie prompt format (internal).
#include <string>

namespace studio::prompt_detail {

inline constexpr const char* kGeneralTags = "general_tags";
inline constexpr const char* kImageWrapper = "image";

// "character_<digits>"; stores N in *index when given.
inline bool is_character_element(const std::string& name, int* index = nullptr) {
    static const std::string prefix = "character_";
    if (name.size() <= prefix.size() || name.size() > prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0)
        return false;
    int n = 0;
    for (size_t i = prefix.size(); i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return false;
        n = n * 10 + (name[i] - '0');
    }
    if (index) *index = n;
    return true;
}

inline std::string character_element(int index) { return "character_" + std::to_string(index); }

}  // namespace studio::prompt_detail
