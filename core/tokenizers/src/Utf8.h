#pragma once
// UTF-8 and text helpers shared by the tokenizer pipelines.
#include <cstdint>
#include <string>
#include <string_view>

namespace studio::tok {

// Byte length of the well-formed UTF-8 character at s[i], or 0 when it is malformed.
size_t utf8_char_len(std::string_view s, size_t i);
// Byte length of the character at s[i] in text already known to be valid UTF-8.
inline size_t utf8_len_fast(unsigned char lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
// Decodes the character at s[i] (valid UTF-8 assumed); sets *len to its byte length.
char32_t utf8_decode(std::string_view s, size_t i, size_t* len);
void utf8_append(std::string& out, char32_t c);

// Every malformed byte sequence replaced by U+FFFD, so the pipelines only see valid UTF-8.
std::string sanitize_utf8(std::string_view s);
// Unicode White_Space (what Rust's char::is_whitespace tests).
bool is_unicode_whitespace(char32_t c);
// Letters, digits and '_' for single_word checks; non-ASCII non-space characters count as letters.
bool is_word_char(char32_t c);

// Standard base64 (padding optional, whitespace ignored); returns false on bad input.
bool base64_decode(std::string_view in, std::string* out);
std::string base64_encode(std::string_view in);

void replace_all(std::string& s, std::string_view from, std::string_view to);

}  // namespace studio::tok
