#pragma once
// Writes small SentencePiece ModelProto files for the tests (protobuf wire format by hand).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace studio::test {

struct SpmPiece {
    std::string piece;
    float score{0.0f};
    int type{1};  // 1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte
};

struct SpmSpec {
    int model_type{1};  // 1 unigram, 2 bpe
    int unk_id{0}, bos_id{1}, eos_id{2}, pad_id{-1};
    bool byte_fallback{false};
    std::string normalizer_name{"identity"};
    std::string charsmap;  // raw precompiled_charsmap bytes
    bool add_dummy_prefix{true}, remove_extra_whitespaces{true}, escape_whitespaces{true};
};

inline void proto_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}
inline void proto_int(std::string& out, uint32_t field, int64_t v) {
    proto_varint(out, uint64_t(field) << 3);
    proto_varint(out, static_cast<uint64_t>(v));  // negatives as 10-byte two's complement
}
inline void proto_bytes(std::string& out, uint32_t field, const std::string& bytes) {
    proto_varint(out, (uint64_t(field) << 3) | 2);
    proto_varint(out, bytes.size());
    out += bytes;
}
inline void proto_float(std::string& out, uint32_t field, float f) {
    proto_varint(out, (uint64_t(field) << 3) | 5);
    uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
}

inline std::string spm_model_proto(const std::vector<SpmPiece>& pieces, const SpmSpec& spec) {
    std::string out;
    for (const auto& p : pieces) {
        std::string m;
        proto_bytes(m, 1, p.piece);
        proto_float(m, 2, p.score);
        if (p.type != 1) proto_int(m, 3, p.type);
        proto_bytes(out, 1, m);
    }
    std::string trainer;
    proto_int(trainer, 3, spec.model_type);
    proto_int(trainer, 4, static_cast<int64_t>(pieces.size()));
    proto_int(trainer, 35, spec.byte_fallback ? 1 : 0);
    proto_int(trainer, 40, spec.unk_id);
    proto_int(trainer, 41, spec.bos_id);
    proto_int(trainer, 42, spec.eos_id);
    proto_int(trainer, 43, spec.pad_id);
    proto_bytes(out, 2, trainer);
    std::string normalizer;
    proto_bytes(normalizer, 1, spec.normalizer_name);
    if (!spec.charsmap.empty()) proto_bytes(normalizer, 2, spec.charsmap);
    proto_int(normalizer, 3, spec.add_dummy_prefix ? 1 : 0);
    proto_int(normalizer, 4, spec.remove_extra_whitespaces ? 1 : 0);
    proto_int(normalizer, 5, spec.escape_whitespaces ? 1 : 0);
    proto_bytes(out, 3, normalizer);
    return out;
}

}  // namespace studio::test
