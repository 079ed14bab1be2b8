#pragma once
// Reads the parts of a SentencePiece ModelProto (tokenizer.model) that the tokenizer runs on:
// the model type, the pieces with scores and types, the special ids and the normalizer
// settings with their compiled rules. A small protobuf reader, so no generated protobuf code
// (and no protobuf runtime) is needed.
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

// Defaults are the proto's defaults, used when a field is absent.
struct SentencePieceModelInfo {
    std::string model_type{"unigram"};  // unigram, bpe, word, char
    std::vector<SentencePieceEntry> pieces;
    // TrainerSpec
    bool byte_fallback{false};
    bool treat_whitespace_as_suffix{false};
    int unk_id{0};
    int bos_id{1};
    int eos_id{2};
    int pad_id{-1};  // -1: none
    // NormalizerSpec
    std::string normalizer_name;
    std::string precompiled_charsmap;  // raw bytes; empty: no rules (identity)
    bool add_dummy_prefix{true};
    bool remove_extra_whitespaces{true};
    bool escape_whitespaces{true};
};

// Throws TokenizerError naming `source` when the bytes are not a ModelProto.
SentencePieceModelInfo parse_sentencepiece_model(std::string_view bytes, const std::string& source);
SentencePieceModelInfo read_sentencepiece_model(const std::string& path);

}  // namespace studio
