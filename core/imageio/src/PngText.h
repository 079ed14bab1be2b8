#pragma once
// PNG text chunks written and read without libpng, so that UTF-8 survives byte-exact
// (OpenImageIO only writes Latin-1 tEXt chunks).
#include <map>
#include <string>
#include <vector>

namespace studio::png {

bool has_signature(const std::vector<unsigned char>& bytes);
bool file_has_signature(const std::string& path);

// Throws ExportError unless `key` is a valid PNG keyword (1-79 printable ASCII characters, no
// leading, trailing or doubled spaces).
void validate_keyword(const std::string& key);

// A copy of `png` with one chunk per entry inserted before the first IDAT: uncompressed iTXt, or
// tEXt for a pure-ASCII "parameters" value (never both). Throws ExportError if `png` is malformed.
std::vector<unsigned char> insert_text_chunks(const std::vector<unsigned char>& png,
                                              const std::map<std::string, std::string>& text);

// Every tEXt / zTXt / iTXt entry of the file, as UTF-8 (iTXt wins over zTXt over tEXt for the same
// keyword). Image data is skipped, not read. Throws ImageReadError on a malformed or truncated file.
std::map<std::string, std::string> read_text_chunks(const std::string& path);

}  // namespace studio::png
