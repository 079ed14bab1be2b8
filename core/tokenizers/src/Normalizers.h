#pragma once
// tokenizer.json "normalizer" steps: Sequence, Precompiled (SentencePiece charsmap),
// Replace, Strip, Prepend. Others raise TokenizerError at load.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace studio::tok {

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual std::string normalize(std::string text) const = 0;  // valid UTF-8 in and out
};

// Null JSON gives nullptr (no normalizer).
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j);

}  // namespace studio::tok
