#pragma once
// tokenizer.json "decoder" steps over the token strings: Sequence, Metaspace, Replace,
// ByteFallback, Fuse, Strip. The tokens are concatenated afterwards.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace studio::tok {

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual void apply(std::vector<std::string>& tokens) const = 0;
};

// nullptr for a null or unsupported decoder (the caller picks a fallback).
std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j);
// What SentencePiece does: byte pieces to bytes, U+2581 to spaces.
std::unique_ptr<Decoder> make_default_decoder();

}  // namespace studio::tok
