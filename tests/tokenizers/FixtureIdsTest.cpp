// Golden ids from expected_ids.json: the SentencePiece route for Gemma, the tokenizer.json
// Unigram route for Jina / XLM-R. Every record of the file is checked; ids are exact.
#include <sentencepiece_processor.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "TokenizerTestUtil.h"
#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

using test::expected_records;
using test::ids_of;

TEST(FixtureGemma, SentencePieceIdsPiecesAndDecodeMatchEveryRecord) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_sentencepiece_tokenizer(test::gemma_model_path());
    const auto records = expected_records();
    ASSERT_FALSE(records.empty());
    for (const auto& r : records) {
        const std::string text = r.at("text");
        SCOPED_TRACE("text: " + text);
        const auto ids = tok->encode(text);
        EXPECT_EQ(ids, ids_of(r.at("gemma_ids")));
        if (r.contains("gemma_pieces")) {
            std::vector<std::string> pieces;
            for (const auto id : ids) pieces.push_back(tok->id_to_piece(id));
            EXPECT_EQ(pieces, r.at("gemma_pieces").get<std::vector<std::string>>());
        }
        if (r.contains("gemma_decode")) {
            EXPECT_EQ(tok->decode(ids), r.at("gemma_decode").get<std::string>());
        }
    }
}

TEST(FixtureGemma, BatchRowsEqualIdsWithBos) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_sentencepiece_tokenizer(test::gemma_model_path());
    const auto records = expected_records();
    std::vector<std::string> texts;
    for (const auto& r : records) texts.push_back(r.at("text"));
    const TokenBatch batch = make_gemma_batch(*tok, texts);
    ASSERT_EQ(batch.ids.size(), records.size());
    EXPECT_EQ(batch.length % 8, 0);
    for (size_t i = 0; i < records.size(); ++i) {
        const auto expected = ids_of(records[i].at("gemma_ids_with_bos"));
        SCOPED_TRACE("text: " + texts[i]);
        ASSERT_EQ(batch.lengths[i], static_cast<int64_t>(expected.size()));
        EXPECT_EQ(std::vector<int64_t>(batch.ids[i].begin(), batch.ids[i].begin() + batch.lengths[i]), expected);
        EXPECT_FALSE(batch.truncated[i]);
    }
}

TEST(FixtureGemma, ComponentPicksTheSentencePieceModel) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    ComponentFiles c;
    c.kind = ComponentKind::TextEncoder;
    c.dir = c.tokenizer_dir = (test::tokenizer_fixtures() / "gemma_like").string();
    c.tokenizer_model = test::gemma_model_path();
    const auto tok = load_component_tokenizer(c);
    // The oracle (libsentencepiece) reads the same file: its piece count and BOS piece.
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(test::gemma_model_path()).ok());
    EXPECT_EQ(tok->vocab_size(), sp.GetPieceSize());
    EXPECT_NE(tok->description().find("SentencePiece BPE"), std::string::npos) << tok->description();
    ASSERT_GE(sp.bos_id(), 0);
    EXPECT_EQ(tok->id_to_piece(sp.bos_id()), sp.IdToPiece(sp.bos_id()));
    // The records' gemma_ids_with_bos start with that BOS id.
    for (const auto& r : expected_records()) EXPECT_EQ(r.at("gemma_ids_with_bos").at(0).get<int>(), sp.bos_id());
}

TEST(FixtureGemma, InvalidUtf8IsEncodedAsReplacementCharacter) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_sentencepiece_tokenizer(test::gemma_model_path());
    const std::string bad = std::string("a\xff\xfe") + "b\xc3";
    std::vector<int64_t> ids;
    ASSERT_NO_THROW(ids = tok->encode(bad));
    EXPECT_EQ(ids, tok->encode("a\xEF\xBF\xBD\xEF\xBF\xBD"
                               "b\xEF\xBF\xBD"));
    EXPECT_FALSE(ids.empty());
}

TEST(FixtureGemma, FairseqViewShiftsIds) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto plain = load_sentencepiece_tokenizer(test::gemma_model_path());
    const auto fairseq = load_sentencepiece_tokenizer_fairseq(test::gemma_model_path());
    EXPECT_EQ(fairseq->vocab_size(), plain->vocab_size() + 2);
    EXPECT_EQ(fairseq->id_to_piece(0), "<s>");
    EXPECT_EQ(fairseq->id_to_piece(3), "<unk>");
    EXPECT_EQ(fairseq->id_to_piece(fairseq->vocab_size() - 1), "<mask>");
    for (const auto& r : expected_records()) {
        const std::string text = r.at("text");
        const auto base = plain->encode(text);
        std::vector<int64_t> shifted;
        for (const auto id : base) shifted.push_back(id == 0 ? 3 : id + 1);
        EXPECT_EQ(fairseq->encode(text), shifted) << text;
        EXPECT_EQ(fairseq->decode(shifted), plain->decode(base)) << text;
    }
}

// gemma_like/tokenizer.json (the HF fast tokenizer) is optional in a fixture set: MANIFEST.json
// says whether this set ships it, and then it must be there and agree. Not shipped: nothing to
// compare, and the file must really be absent.
TEST(FixtureGemma, TokenizerJsonIdsMatchWhenShipped) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto path = test::tokenizer_fixtures() / "gemma_like" / "tokenizer.json";
    std::ifstream manifest_in(test::fixtures_dir() / "MANIFEST.json");
    ASSERT_TRUE(manifest_in) << "no MANIFEST.json in " << test::fixtures_dir();
    const auto manifest = nlohmann::json::parse(manifest_in);
    const bool shipped = manifest.contains("tokenizers/gemma_like/tokenizer.json");
    ASSERT_EQ(std::filesystem::exists(path), shipped) << path << " and MANIFEST.json disagree";
    if (!shipped) return;
    const auto tok = load_tokenizer_json(path.string());
    for (const auto& r : expected_records()) {
        const auto& expected =
            r.contains("gemma_tokenizer_json_ids") ? r.at("gemma_tokenizer_json_ids") : r.at("gemma_ids");
        EXPECT_EQ(tok->encode(r.at("text")), ids_of(expected)) << r.at("text");
    }
}

TEST(FixtureXlmr, TokenizerJsonIdsMatchEveryRecord) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_tokenizer_json(test::xlmr_json_path());
    const auto records = expected_records();
    ASSERT_FALSE(records.empty());
    for (const auto& r : records) {
        const std::string text = r.at("text");
        SCOPED_TRACE("text: " + text);
        std::vector<int64_t> ids{0};
        for (const auto id : tok->encode(text)) ids.push_back(id);
        ids.push_back(2);
        const auto expected = ids_of(r.at("xlmr_ids"));
        EXPECT_EQ(ids, expected);
        // Pieces equal the HF tokens, except <unk> whose HF token is the original text.
        if (r.contains("xlmr_tokens") && ids == expected) {
            const auto tokens = r.at("xlmr_tokens").get<std::vector<std::string>>();
            ASSERT_EQ(tokens.size(), ids.size());
            for (size_t i = 0; i < ids.size(); ++i)
                if (ids[i] != 3) {
                    EXPECT_EQ(tok->id_to_piece(ids[i]), tokens[i]) << "position " << i;
                }
        }
    }
}

TEST(FixtureXlmr, BatchRowsEqualIdsAndPadWithOne) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_tokenizer_json(test::xlmr_json_path());
    const auto records = expected_records();
    std::vector<std::string> texts;
    size_t longest = 0;
    for (const auto& r : records) {
        texts.push_back(r.at("text"));
        longest = std::max(longest, r.at("xlmr_ids").size());
    }
    const TokenBatch batch = make_jina_batch(*tok, texts);
    EXPECT_EQ(batch.length, static_cast<int64_t>(longest));
    for (size_t i = 0; i < records.size(); ++i) {
        const auto expected = ids_of(records[i].at("xlmr_ids"));
        auto row = expected;
        row.resize(longest, 1);
        EXPECT_EQ(batch.ids[i], row) << texts[i];
        EXPECT_EQ(batch.lengths[i], static_cast<int64_t>(expected.size()));
    }
}

// The Metaspace decoder's text of a record's HF tokens: specials dropped, U+2581 -> space, the
// prepended space removed. Records holding <unk> are skipped (its HF token is the source text).
std::string metaspace_text(const nlohmann::json& tokens, bool* has_unk) {
    std::string out;
    for (const auto& t : tokens) {
        const std::string s = t.get<std::string>();
        if (s == "<s>" || s == "</s>" || s == "<pad>") continue;
        if (s == "<unk>") *has_unk = true;
        out += s;
    }
    const std::string meta = "\xE2\x96\x81";
    for (size_t at = out.find(meta); at != std::string::npos; at = out.find(meta, at + 1)) out.replace(at, meta.size(), " ");
    if (!out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
}

TEST(FixtureXlmr, DecodeRestoresNormalizedText) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_tokenizer_json(test::xlmr_json_path());
    int checked = 0;
    for (const auto& r : expected_records()) {
        bool has_unk = false;
        const std::string text = metaspace_text(r.at("xlmr_tokens"), &has_unk);
        const auto ids = ids_of(r.at("xlmr_ids"));
        if (has_unk || std::find(ids.begin(), ids.end(), 3) != ids.end()) continue;
        EXPECT_EQ(tok->decode(ids), text) << r.at("text");
        checked += text.empty() ? 0 : 1;
    }
    EXPECT_GT(checked, 0) << "no record without <unk> to check decoding on";
    // nmt_nfkc + the " {2,}" Replace: runs of spaces collapse to one.
    const auto once = tok->decode(tok->encode("a b"));
    EXPECT_EQ(tok->decode(tok->encode("a   b")), once);
    EXPECT_THROW(tok->decode({tok->vocab_size()}), TokenizerError);
}

TEST(FixtureXlmr, SpecialTokensInTextAreRecognised) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_tokenizer_json(test::xlmr_json_path());
    const auto ids = tok->encode("solo</s>solo <mask>");
    const auto solo = tok->encode("solo");
    ASSERT_FALSE(solo.empty());
    // "<mask>" strips the space on its left (lstrip); each side is its own prepended word.
    std::vector<int64_t> expected = solo;
    expected.push_back(2);
    expected.insert(expected.end(), solo.begin(), solo.end());
    expected.push_back(tok->vocab_size() - 1);
    EXPECT_EQ(ids, expected);
}

TEST(FixtureXlmr, ComponentPrefersTokenizerJson) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    ComponentFiles c;
    c.kind = ComponentKind::Clip;
    c.dir = c.tokenizer_dir = (test::tokenizer_fixtures() / "xlmr_like").string();
    c.tokenizer_json = test::xlmr_json_path();
    c.tokenizer_model = test::gemma_model_path();  // a fallback that must not be used
    const auto tok = load_component_tokenizer(c);
    EXPECT_EQ(tok->vocab_size(), test::xlmr_vocab_size());
    EXPECT_NE(tok->description().find("Unigram"), std::string::npos) << tok->description();
}

TEST(FixtureXlmr, InvalidUtf8DoesNotThrow) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto tok = load_tokenizer_json(test::xlmr_json_path());
    std::vector<int64_t> ids;
    ASSERT_NO_THROW(ids = tok->encode(std::string("solo \xc0\x80\xff solo")));
    EXPECT_EQ(ids, tok->encode("solo \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD solo"));
}

}  // namespace
}  // namespace studio
