// The SentencePiece route: libsentencepiece runs the model; this file adds error
// reporting, UTF-8 sanitising and, for XLM-R style models, fairseq's id layout.
#include <sentencepiece_processor.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "Utf8.h"
#include "studio/Errors.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {

namespace {

std::string model_type_label(const std::string& t) {
    if (t == "bpe") return "BPE";
    if (t == "unigram") return "Unigram";
    if (t == "word") return "Word";
    return "Char";
}

class SentencePieceTokenizer : public Tokenizer {
public:
    SentencePieceTokenizer(const std::string& path, bool fairseq) : m_path(path), m_fairseq(fairseq) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw TokenizerError("SentencePiece model not found: '" + path + "'");
        std::ifstream in(path, std::ios::binary);
        if (!in) throw TokenizerError("cannot open SentencePiece model '" + path + "'");
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string bytes = ss.str();
        const SentencePieceModelInfo info = parse_sentencepiece_model(bytes, path);
        const auto status = m_sp.LoadFromSerializedProto(bytes);
        if (!status.ok()) throw TokenizerError("cannot load SentencePiece model '" + path + "': " + status.ToString());
        m_pieces = m_sp.GetPieceSize();
        m_description = "SentencePiece " + model_type_label(info.model_type) + " (" +
                        std::filesystem::path(path).filename().string() + ", " + std::to_string(m_pieces) + " pieces" +
                        (info.byte_fallback ? ", byte fallback" : "") + (fairseq ? ", fairseq ids" : "") + ")";
    }

    std::vector<int64_t> encode(const std::string& text) const override {
        std::vector<int> ids;
        const auto status = m_sp.Encode(tok::sanitize_utf8(text), &ids);
        if (!status.ok()) throw TokenizerError("SentencePiece encode failed ('" + m_path + "'): " + status.ToString());
        std::vector<int64_t> out(ids.begin(), ids.end());
        if (m_fairseq)
            for (auto& id : out) id = id == 0 ? kFairseqUnk : id + 1;
        return out;
    }

    std::string decode(const std::vector<int64_t>& ids) const override {
        std::vector<int> sp_ids;
        sp_ids.reserve(ids.size());
        for (const int64_t id : ids) {
            check_id(id);
            if (!m_fairseq)
                sp_ids.push_back(static_cast<int>(id));
            else if (id >= 4 && id < m_pieces + 1)
                sp_ids.push_back(static_cast<int>(id - 1));
        }
        std::string text;
        const auto status = m_sp.Decode(sp_ids, &text);
        if (!status.ok()) throw TokenizerError("SentencePiece decode failed ('" + m_path + "'): " + status.ToString());
        return text;
    }

    int64_t vocab_size() const override { return m_fairseq ? m_pieces + 2 : m_pieces; }

    std::string id_to_piece(int64_t id) const override {
        check_id(id);
        if (!m_fairseq) return m_sp.IdToPiece(static_cast<int>(id));
        static const char* kSpecial[] = {"<s>", "<pad>", "</s>", "<unk>"};
        if (id < 4) return kSpecial[id];
        if (id == m_pieces + 1) return "<mask>";
        return m_sp.IdToPiece(static_cast<int>(id - 1));
    }

    std::string description() const override { return m_description; }

private:
    static constexpr int64_t kFairseqUnk = 3;

    void check_id(int64_t id) const {
        if (id < 0 || id >= vocab_size())
            throw TokenizerError("token id " + std::to_string(id) + " is outside the vocabulary of '" + m_path + "' (" +
                                 std::to_string(vocab_size()) + " ids)");
    }

    std::string m_path;
    bool m_fairseq;
    sentencepiece::SentencePieceProcessor m_sp;
    int64_t m_pieces{0};
    std::string m_description;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path) {
    return std::make_unique<SentencePieceTokenizer>(path, false);
}

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer_fairseq(const std::string& path) {
    return std::make_unique<SentencePieceTokenizer>(path, true);
}

}  // namespace studio
