// The BPE tokenizer.json route checked against the SentencePiece route: the gemma_like model
// converted to a Gemma-style tokenizer.json (sentencepiece_to_tokenizer_json: vocab in id
// order, merges ordered by the merged piece's score, control and user-defined pieces as added
// tokens) is written to a file and loaded back; both routes must give the golden ids and text.
#include <sentencepiece_processor.h>

#include "TokenizerTestUtil.h"
#include "studio/tokenizers/SentencePieceConversion.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

class FixtureBpeJson : public ::testing::Test {
protected:
    void SetUp() override {
        STUDIO_REQUIRE_TOKENIZER_FIXTURES();
        m_sp = load_sentencepiece_tokenizer(test::gemma_model_path());
        const auto dir = test::temp_dir("bpe-json");
        m_json_path = (dir / "tokenizer.json").string();
        test::write_file(m_json_path,
                         sentencepiece_to_tokenizer_json(read_sentencepiece_model(test::gemma_model_path())).dump());
        m_json = load_tokenizer_json(m_json_path);
    }

    std::unique_ptr<Tokenizer> m_sp, m_json;
    std::string m_json_path;
};

TEST_F(FixtureBpeJson, ModelInfoDescribesGemmaLikeModel) {
    const auto info = read_sentencepiece_model(test::gemma_model_path());
    EXPECT_EQ(info.model_type, "bpe");
    sentencepiece::SentencePieceProcessor sp;  // the oracle reads the same file
    ASSERT_TRUE(sp.Load(test::gemma_model_path()).ok());
    EXPECT_EQ(static_cast<int>(info.pieces.size()), sp.GetPieceSize());
    EXPECT_TRUE(info.byte_fallback);
    EXPECT_FALSE(info.add_dummy_prefix);
    const auto byte0 = static_cast<size_t>(sp.PieceToId("<0x00>"));
    ASSERT_LT(byte0, info.pieces.size());
    EXPECT_TRUE(sp.IsByte(static_cast<int>(byte0)));
    EXPECT_EQ(info.pieces[byte0].piece, "<0x00>");
    EXPECT_EQ(info.pieces[byte0].type, SentencePieceType::Byte);
    // README: <pad>=0 <eos>=1 <bos>=2 <unk>=3, identity normalizer, no whitespace clean-up.
    EXPECT_EQ(info.pad_id, sp.pad_id());
    EXPECT_EQ(info.eos_id, sp.eos_id());
    EXPECT_EQ(info.bos_id, sp.bos_id());
    EXPECT_EQ(info.unk_id, sp.unk_id());
    EXPECT_EQ(info.pieces[static_cast<size_t>(sp.bos_id())].type, SentencePieceType::Control);
    EXPECT_EQ(info.pieces[static_cast<size_t>(sp.unk_id())].type, SentencePieceType::Unknown);
    EXPECT_EQ(info.normalizer_name, "identity");
    EXPECT_TRUE(info.precompiled_charsmap.empty());
    EXPECT_FALSE(info.remove_extra_whitespaces);
    EXPECT_TRUE(info.escape_whitespaces);
    EXPECT_FALSE(info.treat_whitespace_as_suffix);
}

// The converted document has GemmaConverter's shape.
TEST_F(FixtureBpeJson, ConvertedJsonHasGemmaConverterLayout) {
    const auto info = read_sentencepiece_model(test::gemma_model_path());
    const auto j = sentencepiece_to_tokenizer_json(info);
    const std::string meta = "\xE2\x96\x81";
    EXPECT_EQ(j.at("normalizer"),
              nlohmann::json({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", meta}}));
    EXPECT_TRUE(j.at("pre_tokenizer").is_null());
    const auto& model = j.at("model");
    EXPECT_EQ(model.at("type"), "BPE");
    EXPECT_EQ(model.at("unk_token"), "<unk>");
    EXPECT_TRUE(model.at("byte_fallback").get<bool>());
    EXPECT_TRUE(model.at("fuse_unk").get<bool>());
    EXPECT_EQ(model.at("vocab").size(), info.pieces.size());
    for (size_t i = 0; i < info.pieces.size(); ++i) EXPECT_EQ(model.at("vocab").at(info.pieces[i].piece), i);
    // Every merge joins two vocab pieces into a vocab piece; scores never increase along the list.
    const auto& merges = model.at("merges");
    ASSERT_FALSE(merges.empty());
    float previous = 1e30f;
    for (const auto& m : merges) {
        const std::string merged = m[0].get<std::string>() + m[1].get<std::string>();
        ASSERT_TRUE(model.at("vocab").contains(merged)) << merged;
        const float score = info.pieces[model.at("vocab").at(merged).get<size_t>()].score;
        EXPECT_LE(score, previous) << merged;
        previous = score;
    }
    // <pad> <eos> <bos> <unk> special, "\n" "\n\n" and the turn markers plain added tokens;
    // the turn markers are matched in the normalized text, the newlines in the raw text.
    size_t special = 0, plain = 0;
    for (const auto& t : j.at("added_tokens")) {
        const std::string content = t.at("content");
        EXPECT_EQ(t.at("normalized").get<bool>(), content.find("_of_turn>") != std::string::npos) << content;
        (t.at("special").get<bool>() ? special : plain)++;
    }
    EXPECT_EQ(special, 4u);
    EXPECT_EQ(plain, 4u);
}

TEST_F(FixtureBpeJson, SameIdsAsSentencePieceOnEveryRecord) {
    EXPECT_EQ(m_json->vocab_size(), m_sp->vocab_size());
    EXPECT_NE(m_json->description().find("BPE"), std::string::npos) << m_json->description();
    for (const auto& r : test::expected_records()) {
        const std::string text = r.at("text");
        const auto ids = m_json->encode(text);
        EXPECT_EQ(ids, test::ids_of(r.at("gemma_ids"))) << text;
        EXPECT_EQ(m_json->decode(ids), m_sp->decode(ids)) << text;
    }
}

TEST_F(FixtureBpeJson, SameIdsOnTurnMarkersBytesAndLongPrompts) {
    const std::vector<std::string> texts = {
        "<start_of_turn>user\nhello<end_of_turn>\n\n\n<start_of_turn>model",
        "tab\there, cr\r\nand nul-free bytes: \x7f \xc3\xa9 \xe2\x82\xac",
        "     leading and trailing     ",
        "1girl, 2boys, 1990s_(style), 1024x1024, masterpiece:1.2, (best quality), ((very aesthetic))",
        "\xe5\x88\x9d\xe9\x9f\xb3\xe3\x83\x9f\xe3\x82\xaf \xf0\x9f\x90\xb1\xf0\x9f\x90\xb1",
    };
    std::string long_prompt;
    for (int i = 0; i < 40; ++i)
        long_prompt += "<character_" + std::to_string(i) + "><n>hatsune_miku</n></character_1>\n";
    for (const auto& text : texts) EXPECT_EQ(m_json->encode(text), m_sp->encode(text)) << text;
    EXPECT_EQ(m_json->encode(long_prompt), m_sp->encode(long_prompt));
}

TEST_F(FixtureBpeJson, ComponentFallsBackToTokenizerJson) {
    ComponentFiles c;
    c.kind = ComponentKind::TextEncoder;
    c.tokenizer_json = m_json_path;
    const auto tok = load_component_tokenizer(c);
    EXPECT_NE(tok->description().find("tokenizer.json"), std::string::npos) << tok->description();
    EXPECT_EQ(tok->encode("1girl, solo"), m_sp->encode("1girl, solo"));

    // A corrupt tokenizer.model next to a good tokenizer.json: the json is used.
    const auto bad = test::temp_dir("bpe-bad-model") / "tokenizer.model";
    test::write_file(bad, "not a protobuf at all");
    c.tokenizer_model = bad.string();
    EXPECT_EQ(load_component_tokenizer(c)->encode("solo"), m_sp->encode("solo"));
}

}  // namespace
}  // namespace studio
