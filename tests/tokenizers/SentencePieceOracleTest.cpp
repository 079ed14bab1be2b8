// The native SentencePiece route against libsentencepiece itself. Only this torch-free test
// binary links the library (as the oracle); the product runs the native route. Models: the
// gemma_like fixture and models trained here with other settings (dummy prefix, whitespace
// clean-up, nmt_nfkc rules, unigram, with and without byte fallback).
#include <sentencepiece_processor.h>

#include <algorithm>

#include "SpmTestCorpus.h"
#include "TokenizerTestUtil.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"
#include "studio/tokenizers/TokenizerTraining.h"

namespace studio {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> oracle_texts() {
    std::vector<std::string> texts = test::spm_stress_texts();
    for (const auto& r : test::expected_records()) texts.push_back(r.at("text"));
    std::string long_prompt;
    for (int i = 0; i < 40; ++i) long_prompt += "<character_" + std::to_string(i) + "><n>hatsune_miku</n>\n";
    texts.push_back(long_prompt);
    return texts;
}

// Ids, pieces and (where no <unk> is involved: SentencePiece prints it as " \u2047 ") text.
void expect_same_as_libsentencepiece(const std::string& model, const std::vector<std::string>& texts) {
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(model).ok()) << model;
    const auto native = load_sentencepiece_tokenizer(model);
    ASSERT_EQ(native->vocab_size(), sp.GetPieceSize());
    for (int id = 0; id < sp.GetPieceSize(); ++id) EXPECT_EQ(native->id_to_piece(id), sp.IdToPiece(id)) << id;
    for (const auto& text : texts) {
        std::vector<int> sp_ids;
        ASSERT_TRUE(sp.Encode(text, &sp_ids).ok());
        const std::vector<int64_t> expected(sp_ids.begin(), sp_ids.end());
        const auto ids = native->encode(text);
        EXPECT_EQ(ids, expected) << "text: '" << text << "' model: " << model;
        if (ids != expected || std::any_of(sp_ids.begin(), sp_ids.end(), [&](int id) { return sp.IsUnknown(id); }))
            continue;
        std::string sp_text;
        ASSERT_TRUE(sp.Decode(sp_ids, &sp_text).ok());
        EXPECT_EQ(native->decode(ids), sp_text) << "text: '" << text << "' model: " << model;
    }
}

TEST(FixtureSentencePieceOracle, GemmaLikeModelMatchesLibsentencepiece) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    auto texts = oracle_texts();
    texts.push_back("<start_of_turn>user\nhello<end_of_turn>\n\n\n<start_of_turn>model");
    texts.push_back("tab\there, cr\r\nand bytes: \x7f \xc3\xa9 \xe2\x82\xac");
    expect_same_as_libsentencepiece(test::gemma_model_path(), texts);
}

// Models trained once per run with the settings each test names.
class SentencePieceOracle : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = test::temp_dir("spm-oracle");
        test::write_file(s_dir / "corpus.txt", test::spm_training_corpus(1200));
    }

    static std::string train(const std::string& name, const std::string& options) {
        const auto prefix = s_dir / name;
        if (!fs::exists(prefix.string() + ".model"))
            train_sentencepiece("--input=" + (s_dir / "corpus.txt").string() + " --model_prefix=" + prefix.string() +
                                " --minloglevel=2 --num_threads=1 --hard_vocab_limit=false " + options);
        return prefix.string() + ".model";
    }

    static inline fs::path s_dir;
};

TEST_F(SentencePieceOracle, BpeWithDummyPrefixAndByteFallback) {  // Llama-like
    expect_same_as_libsentencepiece(
        train("bpe_llama", "--model_type=bpe --vocab_size=400 --byte_fallback=true --remove_extra_whitespaces=false"),
        oracle_texts());
}

TEST_F(SentencePieceOracle, BpeWithWhitespaceCleanupAndUnknowns) {
    const auto model = train("bpe_clean",
                             "--model_type=bpe --vocab_size=400 --character_coverage=1.0 "
                             "--user_defined_symbols=<start_of_turn>,<end_of_turn>");
    ASSERT_FALSE(read_sentencepiece_model(model).byte_fallback);
    auto texts = oracle_texts();
    // The dummy prefix goes before the text only, spaces around user-defined pieces stay.
    for (const char* t :
         {"user<start_of_turn>model", "<start_of_turn>user", "1girl<end_of_turn>solo, smile<start_of_turn>",
          "a <start_of_turn> b", "  x  <end_of_turn>  y  ", "<end_of_turn> <start_of_turn>"})
        texts.push_back(t);
    expect_same_as_libsentencepiece(model, texts);
}

TEST_F(SentencePieceOracle, UnigramXlmrStyle) {
    expect_same_as_libsentencepiece(train("unigram", "--model_type=unigram --vocab_size=300 --character_coverage=1.0"),
                                    oracle_texts());
}

TEST_F(SentencePieceOracle, UnigramWithUserDefinedPieces) {
    auto texts = oracle_texts();
    for (const char* t : {"user<start_of_turn>model", "<start_of_turn>user", "1girl<end_of_turn>solo, smile",
                          "a <start_of_turn> b", "  x  <end_of_turn>  y  ", "<end_of_turn> <start_of_turn>"})
        texts.push_back(t);
    expect_same_as_libsentencepiece(train("unigram_user",
                                          "--model_type=unigram --vocab_size=300 "
                                          "--user_defined_symbols=<start_of_turn>,<end_of_turn>"),
                                    texts);
}

TEST_F(SentencePieceOracle, UnigramWithByteFallbackWithoutDummyPrefix) {
    expect_same_as_libsentencepiece(
        train("unigram_bytes", "--model_type=unigram --vocab_size=500 --byte_fallback=true --add_dummy_prefix=false"),
        oracle_texts());
}

TEST_F(SentencePieceOracle, UnigramIdentityKeepingEverySpace) {
    expect_same_as_libsentencepiece(train("unigram_identity",
                                          "--model_type=unigram --vocab_size=500 --byte_fallback=true "
                                          "--normalization_rule_name=identity --remove_extra_whitespaces=false"),
                                    oracle_texts());
}

// What XLM-R's slow tokenizer does with libsentencepiece: [i + 1 if i else 3 for i in ids].
TEST_F(SentencePieceOracle, FairseqRouteIsTheShiftedLibsentencepieceRoute) {
    const auto model = train("unigram", "--model_type=unigram --vocab_size=300 --character_coverage=1.0");
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(model).ok());
    const auto fairseq = load_sentencepiece_tokenizer_fairseq(model);
    for (const auto& text : oracle_texts()) {
        std::vector<int> sp_ids;
        ASSERT_TRUE(sp.Encode(text, &sp_ids).ok());
        std::vector<int64_t> expected;
        for (const int id : sp_ids) expected.push_back(id == 0 ? 3 : id + 1);
        EXPECT_EQ(fairseq->encode(text), expected) << text;
    }
}

}  // namespace
}  // namespace studio
