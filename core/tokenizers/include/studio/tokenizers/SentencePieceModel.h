#pragma once
// Reads the parts of a SentencePiece ModelProto (tokenizer.model) that describe it: the
// model type, the pieces with scores and types, and the normalizer settings. A small
// protobuf reader, so no generated protobuf code is needed.
#include <string>
#include <string_view>
#include <vector>

namespace studio {

enum class SentencePieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct SentencePieceEntry {
    std::string piece;
    float score{0.0f};
    SentencePieceType type{SentencePieceType::Normal};
};

struct SentencePieceModelInfo {
    std::string model_type{"unigram"};  // unigram, bpe, word, char
    std::vector<SentencePieceEntry> pieces;
    bool byte_fallback{false};
    std::string normalizer_name;
    bool add_dummy_prefix{true};
    bool remove_extra_whitespaces{true};
    bool escape_whitespaces{true};
};

// Throws TokenizerError naming `source` when the bytes are not a ModelProto.
SentencePieceModelInfo parse_sentencepiece_model(std::string_view bytes, const std::string& source);
SentencePieceModelInfo read_sentencepiece_model(const std::string& path);

}  // namespace studio
