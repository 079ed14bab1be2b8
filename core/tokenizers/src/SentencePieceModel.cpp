#include "studio/tokenizers/SentencePieceModel.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "studio/Errors.h"

namespace studio {

namespace {

// Minimal protobuf wire-format reader over a byte range.
class ProtoReader {
public:
    ProtoReader(std::string_view data, const std::string& source) : m_data(data), m_source(source) {}

    bool done() const { return m_pos >= m_data.size(); }

    // Reads the next field key; returns false at the end.
    bool next(uint32_t* field, uint32_t* wire) {
        if (done()) return false;
        const uint64_t key = varint();
        *field = static_cast<uint32_t>(key >> 3);
        *wire = static_cast<uint32_t>(key & 7);
        if (*field == 0) fail("field number 0");
        return true;
    }

    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (done()) fail("truncated varint");
            const auto b = static_cast<unsigned char>(m_data[m_pos++]);
            v |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        fail("varint too long");
    }

    std::string_view bytes() {
        const uint64_t n = varint();
        if (n > m_data.size() - m_pos) fail("length-delimited field runs past the end");
        auto out = m_data.substr(m_pos, n);
        m_pos += n;
        return out;
    }

    float fixed32_float() {
        if (m_data.size() - m_pos < 4) fail("truncated fixed32");
        uint32_t u = 0;
        for (int i = 3; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(m_data[m_pos + i]);
        m_pos += 4;
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }

    void skip(uint32_t wire) {
        switch (wire) {
            case 0:
                varint();
                break;
            case 1:
                advance(8);
                break;
            case 2:
                bytes();
                break;
            case 5:
                advance(4);
                break;
            default:
                fail("unsupported wire type " + std::to_string(wire));
        }
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw TokenizerError("'" + m_source + "' is not a valid SentencePiece model (" + what + ")");
    }

private:
    void advance(size_t n) {
        if (m_data.size() - m_pos < n) fail("truncated field");
        m_pos += n;
    }

    std::string_view m_data;
    const std::string& m_source;
    size_t m_pos{0};
};

SentencePieceEntry parse_piece(std::string_view data, const std::string& source) {
    ProtoReader r(data, source);
    SentencePieceEntry e;
    uint32_t field, wire;
    while (r.next(&field, &wire)) {
        if (field == 1 && wire == 2)
            e.piece = std::string(r.bytes());
        else if (field == 2 && wire == 5)
            e.score = r.fixed32_float();
        else if (field == 3 && wire == 0) {
            const uint64_t t = r.varint();
            if (t < 1 || t > 6) r.fail("unknown piece type " + std::to_string(t));
            e.type = static_cast<SentencePieceType>(t);
        } else
            r.skip(wire);
    }
    return e;
}

void parse_trainer(std::string_view data, const std::string& source, SentencePieceModelInfo* info) {
    static const char* kTypes[] = {"", "unigram", "bpe", "word", "char"};
    ProtoReader r(data, source);
    uint32_t field, wire;
    while (r.next(&field, &wire)) {
        if (field == 3 && wire == 0) {
            const uint64_t t = r.varint();
            if (t < 1 || t > 4) r.fail("unknown model type " + std::to_string(t));
            info->model_type = kTypes[t];
        } else if (field == 35 && wire == 0) {
            info->byte_fallback = r.varint() != 0;
        } else if (field == 24 && wire == 0) {
            info->treat_whitespace_as_suffix = r.varint() != 0;
        } else if (field >= 40 && field <= 43 && wire == 0) {
            // int32 fields: negative values arrive as 64-bit two's complement varints.
            const auto v = static_cast<int>(static_cast<int32_t>(r.varint()));
            (field == 40 ? info->unk_id : field == 41 ? info->bos_id : field == 42 ? info->eos_id : info->pad_id) = v;
        } else
            r.skip(wire);
    }
}

void parse_normalizer(std::string_view data, const std::string& source, SentencePieceModelInfo* info) {
    ProtoReader r(data, source);
    uint32_t field, wire;
    while (r.next(&field, &wire)) {
        if (field == 1 && wire == 2)
            info->normalizer_name = std::string(r.bytes());
        else if (field == 2 && wire == 2)
            info->precompiled_charsmap = std::string(r.bytes());
        else if (field == 3 && wire == 0)
            info->add_dummy_prefix = r.varint() != 0;
        else if (field == 4 && wire == 0)
            info->remove_extra_whitespaces = r.varint() != 0;
        else if (field == 5 && wire == 0)
            info->escape_whitespaces = r.varint() != 0;
        else
            r.skip(wire);
    }
}

}  // namespace

SentencePieceModelInfo parse_sentencepiece_model(std::string_view bytes, const std::string& source) {
    SentencePieceModelInfo info;
    ProtoReader r(bytes, source);
    uint32_t field, wire;
    while (r.next(&field, &wire)) {
        if (field == 1 && wire == 2)
            info.pieces.push_back(parse_piece(r.bytes(), source));
        else if (field == 2 && wire == 2)
            parse_trainer(r.bytes(), source, &info);
        else if (field == 3 && wire == 2)
            parse_normalizer(r.bytes(), source, &info);
        else
            r.skip(wire);
    }
    if (info.pieces.empty()) r.fail("no pieces");
    const int n = static_cast<int>(info.pieces.size());
    if (info.unk_id < 0 || info.unk_id >= n) r.fail("unk_id " + std::to_string(info.unk_id) + " is outside the pieces");
    for (const int id : {info.bos_id, info.eos_id, info.pad_id})
        if (id >= n) r.fail("special id " + std::to_string(id) + " is outside the pieces");
    return info;
}

SentencePieceModelInfo read_sentencepiece_model(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TokenizerError("cannot open SentencePiece model '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_sentencepiece_model(ss.str(), path);
}

}  // namespace studio
