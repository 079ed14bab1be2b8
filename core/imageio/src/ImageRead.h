#pragma once
// Reading helpers shared by the exporter's read-back check and the public readers.
#include <map>
#include <string>

namespace studio::detail {

// Text entries of `file`. `format_hint` (an OpenImageIO format name, or null) lets files without
// an extension be read; errors name `shown_path`. Throws ImageReadError.
std::map<std::string, std::string> read_metadata(const std::string& file, const char* format_hint,
                                                 const std::string& shown_path);

}  // namespace studio::detail
