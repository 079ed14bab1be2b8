#pragma once
// Reader for tag lists in CSV form: tag,category,count,aliases (internal).
#include "studio/prompt/TagDatabase.h"

#include <string>
#include <vector>

namespace studio::prompt_detail {

// Rows in file order. A header line ("tag,...") and '#' comment lines are skipped; a missing
// category reads as "general", a missing count as 0; numeric Danbooru types get their names.
// Throws StudioError naming `source` and the line on a malformed row.
std::vector<TagInfo> read_tag_csv(const std::string& text, const std::string& source);

}  // namespace studio::prompt_detail
