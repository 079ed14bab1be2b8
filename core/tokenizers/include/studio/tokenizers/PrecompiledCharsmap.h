#pragma once
// SentencePiece's compiled normalization rules (the `precompiled_charsmap` of a model's
// NormalizerSpec, and of a tokenizer.json "Precompiled" normalizer): a little-endian uint32
// trie size, a darts-clone double-array trie over UTF-8 bytes, then NUL-terminated
// replacement strings the trie values point into.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace studio {

class PrecompiledCharsmap {
public:
    PrecompiledCharsmap() = default;
    // `blob` is the raw (decoded) charsmap; throws TokenizerError naming `source` when malformed.
    explicit PrecompiledCharsmap(std::string_view blob, const std::string& source = {});
    static PrecompiledCharsmap from_base64(std::string_view base64, const std::string& source = {});

    bool empty() const { return m_units.empty(); }
    // Longest rule matching a prefix of `text`: its byte length (0 = none) and replacement.
    size_t match_prefix(std::string_view text, std::string_view* replacement) const;
    // Applies the longest matching rule at each position, else keeps the UTF-8 character.
    // `text` must be valid UTF-8.
    std::string normalize(std::string_view text) const;

private:
    std::vector<uint32_t> m_units;
    std::string m_normalized;
};

}  // namespace studio
