// The fairseq route of a Unigram SentencePiece model against the tokenizer.json route: the
// XLM-R style sentencepiece.bpe.model behind xlmr_like/tokenizer.json is rebuilt from that file
// (spm ids <unk>=0 <s>=1 </s>=2, pieces 4..300 of the json, its nmt_nfkc charsmap), then
// load_sentencepiece_tokenizer_fairseq must give the tokenizer.json ids on every text.
#include "SpmProtoWriter.h"
#include "TokenizerTestUtil.h"
#include "Utf8.h"
#include "studio/tokenizers/SentencePieceConversion.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

// The ModelProto XLMRobertaConverter would have turned into `xlmr` (the fixture json).
std::string xlmr_model_proto(const nlohmann::json& xlmr) {
    const auto& vocab = xlmr.at("model").at("vocab");
    std::vector<test::SpmPiece> pieces = {{"<unk>", 0.0f, 2}, {"<s>", 0.0f, 3}, {"</s>", 0.0f, 3}};
    // fairseq id i+1 holds spm piece i for i >= 3; the last entry is <mask>.
    for (size_t f = 4; f + 1 < vocab.size(); ++f)
        pieces.push_back({vocab[f][0].get<std::string>(), vocab[f][1].get<float>(), 1});
    test::SpmSpec spec;
    spec.model_type = 1;
    spec.normalizer_name = "nmt_nfkc";
    for (const auto& n : xlmr.at("normalizer").at("normalizers")) {
        if (n.at("type") == "Precompiled") {
            EXPECT_TRUE(tok::base64_decode(n.at("precompiled_charsmap").get<std::string>(), &spec.charsmap));
        }
    }
    return test::spm_model_proto(pieces, spec);
}

class FixtureFairseqUnigram : public ::testing::Test {
protected:
    void SetUp() override {
        STUDIO_REQUIRE_TOKENIZER_FIXTURES();
        std::ifstream in(test::xlmr_json_path());
        m_xlmr_json = nlohmann::json::parse(in);
        m_model_path = (test::temp_dir("fairseq-unigram") / "sentencepiece.bpe.model").string();
        test::write_file(m_model_path, xlmr_model_proto(m_xlmr_json));
        m_fairseq = load_sentencepiece_tokenizer_fairseq(m_model_path);
        m_json = load_tokenizer_json(test::xlmr_json_path());
    }

    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        for (const auto& r : test::expected_records()) out.push_back(r.at("text"));
        for (const char* t :
             {"solo</s>solo <mask>", "<s>1girl<pad> <unk>", "   leading, trailing   ", "a\t\tb\n\nc\r\n",
              "\xEF\xBD\x86\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C width \xE2\x91\xA0 \xEF\xAC\x81 ligature",
              "\xE3\x80\x80ideographic\xE3\x80\x80space", "caf\x65\xCC\x81 decomposed",
              "\xF0\x9F\x90\xB1\xF0\x9F\x90\xB1", "1girl,solo,long_hair", "x", " "})
            out.push_back(t);
        return out;
    }

    nlohmann::json m_xlmr_json;
    std::string m_model_path;
    std::unique_ptr<Tokenizer> m_fairseq, m_json;
};

TEST_F(FixtureFairseqUnigram, ConvertedJsonEqualsTheShippedTokenizerJson) {
    const auto j =
        sentencepiece_to_tokenizer_json(read_sentencepiece_model(m_model_path), SentencePieceIdLayout::Fairseq);
    EXPECT_EQ(j.at("added_tokens"), m_xlmr_json.at("added_tokens"));
    EXPECT_EQ(j.at("normalizer"), m_xlmr_json.at("normalizer"));
    EXPECT_EQ(j.at("pre_tokenizer"), m_xlmr_json.at("pre_tokenizer"));
    EXPECT_EQ(j.at("decoder"), m_xlmr_json.at("decoder"));
    EXPECT_EQ(j.at("model"), m_xlmr_json.at("model"));
}

TEST_F(FixtureFairseqUnigram, SameIdsPiecesAndTextAsTokenizerJson) {
    EXPECT_EQ(m_fairseq->vocab_size(), m_json->vocab_size());
    EXPECT_EQ(m_fairseq->vocab_size(), test::xlmr_vocab_size());
    // fairseq adds <pad> and <mask> to the model's own pieces.
    const std::string d = m_fairseq->description();
    EXPECT_NE(d.find("SentencePiece Unigram (sentencepiece.bpe.model, " + std::to_string(test::xlmr_vocab_size() - 2) +
                     " pieces, fairseq ids)"),
              std::string::npos)
        << d;
    for (int64_t id = 0; id < m_json->vocab_size(); ++id)
        EXPECT_EQ(m_fairseq->id_to_piece(id), m_json->id_to_piece(id));
    for (const auto& text : texts()) {
        const auto ids = m_fairseq->encode(text);
        EXPECT_EQ(ids, m_json->encode(text)) << text;
        EXPECT_EQ(m_fairseq->decode(ids), m_json->decode(ids)) << text;
    }
}

TEST_F(FixtureFairseqUnigram, GoldenIdsAndJinaBatch) {
    std::vector<std::string> batch_texts;
    for (const auto& r : test::expected_records()) {
        const std::string text = r.at("text");
        std::vector<int64_t> ids{0};
        for (const auto id : m_fairseq->encode(text)) ids.push_back(id);
        ids.push_back(2);
        EXPECT_EQ(ids, test::ids_of(r.at("xlmr_ids"))) << text;
        batch_texts.push_back(text);
    }
    const auto a = make_jina_batch(*m_fairseq, batch_texts), b = make_jina_batch(*m_json, batch_texts);
    EXPECT_EQ(a.ids, b.ids);
    EXPECT_EQ(a.mask, b.mask);
}

// The model's own ids: the fairseq ids shifted back (unknown = spm id 0).
TEST_F(FixtureFairseqUnigram, ModelIdsAreTheUnshiftedFairseqIds) {
    const auto plain = load_sentencepiece_tokenizer(m_model_path);
    EXPECT_EQ(plain->vocab_size(), test::xlmr_vocab_size() - 2);
    EXPECT_EQ(plain->id_to_piece(0), "<unk>");
    for (const auto& r : test::expected_records()) {
        const std::string text = r.at("text");
        std::vector<int64_t> expected;
        for (const auto id : m_fairseq->encode(text)) expected.push_back(id == 3 ? 0 : id - 1);
        EXPECT_EQ(plain->encode(text), expected) << text;
        EXPECT_EQ(plain->decode(expected), m_fairseq->decode(m_fairseq->encode(text))) << text;
    }
}

}  // namespace
}  // namespace studio
