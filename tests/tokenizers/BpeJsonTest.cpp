// The BPE tokenizer.json route checked against the SentencePiece route: a Gemma-style
// tokenizer.json is built here from the gemma_like model the way transformers converts it
// (vocab in id order, merges ordered by the merged piece's score, control and user-defined
// pieces as added tokens), then both must give the same ids and text.
#include <algorithm>
#include <map>

#include "TokenizerTestUtil.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

nlohmann::json gemma_style_tokenizer_json(const SentencePieceModelInfo& info) {
    nlohmann::json vocab = nlohmann::json::object();
    std::map<std::string, int64_t> ids;
    for (size_t i = 0; i < info.pieces.size(); ++i) {
        vocab[info.pieces[i].piece] = i;
        ids[info.pieces[i].piece] = static_cast<int64_t>(i);
    }
    struct Merge {
        std::string left, right;
        float score;
    };
    std::vector<Merge> merges;
    for (const auto& p : info.pieces) {
        std::vector<Merge> local;
        for (size_t k = 1; k < p.piece.size(); ++k) {
            const auto l = p.piece.substr(0, k), r = p.piece.substr(k);
            if (ids.count(l) && ids.count(r)) local.push_back({l, r, p.score});
        }
        std::sort(local.begin(), local.end(), [&](const Merge& a, const Merge& b) {
            return std::make_pair(ids[a.left], ids[a.right]) < std::make_pair(ids[b.left], ids[b.right]);
        });
        merges.insert(merges.end(), local.begin(), local.end());
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) { return a.score > b.score; });
    nlohmann::json merge_list = nlohmann::json::array();
    for (const auto& m : merges) merge_list.push_back({m.left, m.right});

    nlohmann::json added = nlohmann::json::array();
    for (size_t i = 0; i < info.pieces.size(); ++i) {
        const auto type = info.pieces[i].type;
        if (type != SentencePieceType::Control && type != SentencePieceType::Unknown &&
            type != SentencePieceType::UserDefined)
            continue;
        const bool special = type != SentencePieceType::UserDefined;
        added.push_back({{"id", i},
                         {"content", info.pieces[i].piece},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", special}});
    }
    const std::string meta = "\xE2\x96\x81";
    return {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer", {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", meta}}},
        {"pre_tokenizer", nullptr},
        {"decoder",
         {{"type", "Sequence"},
          {"decoders",
           {{{"type", "Replace"}, {"pattern", {{"String", meta}}}, {"content", " "}},
            {{"type", "ByteFallback"}},
            {{"type", "Fuse"}}}}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", "<unk>"},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", true},
          {"byte_fallback", true},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", merge_list}}},
    };
}

class FixtureBpeJson : public ::testing::Test {
protected:
    void SetUp() override {
        STUDIO_REQUIRE_TOKENIZER_FIXTURES();
        m_sp = load_sentencepiece_tokenizer(test::gemma_model_path());
        const auto dir = test::temp_dir("bpe-json");
        m_json_path = (dir / "tokenizer.json").string();
        test::write_file(m_json_path,
                         gemma_style_tokenizer_json(read_sentencepiece_model(test::gemma_model_path())).dump());
        m_json = load_tokenizer_json(m_json_path);
    }

    std::unique_ptr<Tokenizer> m_sp, m_json;
    std::string m_json_path;
};

TEST_F(FixtureBpeJson, ModelInfoDescribesGemmaLikeModel) {
    const auto info = read_sentencepiece_model(test::gemma_model_path());
    EXPECT_EQ(info.model_type, "bpe");
    EXPECT_EQ(info.pieces.size(), 512u);
    EXPECT_TRUE(info.byte_fallback);
    EXPECT_FALSE(info.add_dummy_prefix);
    EXPECT_EQ(info.pieces[2].type, SentencePieceType::Control);
    EXPECT_EQ(info.pieces[8].piece, "<0x00>");
    EXPECT_EQ(info.pieces[8].type, SentencePieceType::Byte);
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
