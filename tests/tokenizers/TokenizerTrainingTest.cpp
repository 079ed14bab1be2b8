// train_sentencepiece: the precision-spm-train tool runs in its own process; its models load
// through the native route; failures come back as TokenizerErrors with the tool's message.
#include <algorithm>

#include "SpmTestCorpus.h"
#include "TokenizerTestUtil.h"
#include "studio/Errors.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"
#include "studio/tokenizers/TokenizerTraining.h"

namespace studio {
namespace {

namespace fs = std::filesystem;

TEST(TokenizerTraining, FindsTheToolInThisBuildTree) {
    const fs::path tool = find_spm_train_executable();
    EXPECT_EQ(tool.filename(), "precision-spm-train");
    EXPECT_TRUE(fs::exists(tool));
}

// A folder with spaces in its name: every "--key=value" may hold spaces.
TEST(TokenizerTraining, TrainsBpeAndUnigramModelsThatLoad) {
    const auto dir = test::temp_dir("spm-train") / "with spaces";
    fs::create_directories(dir);
    const auto corpus = dir / "corpus.txt";
    test::write_file(corpus, test::spm_training_corpus(800));
    const std::string common =
        "--input=" + corpus.string() + " --minloglevel=2 --num_threads=1 --hard_vocab_limit=false";

    train_sentencepiece(common + " --model_prefix=" + (dir / "bpe").string() +
                        " --model_type=bpe --vocab_size=600 --byte_fallback=true --pad_id=0 --eos_id=1 --bos_id=2"
                        " --unk_id=3 --user_defined_symbols=<start_of_turn>,<end_of_turn>");
    const auto bpe_info = read_sentencepiece_model((dir / "bpe.model").string());
    EXPECT_EQ(bpe_info.model_type, "bpe");
    EXPECT_TRUE(bpe_info.byte_fallback);
    EXPECT_EQ(bpe_info.unk_id, 3);
    EXPECT_EQ(bpe_info.bos_id, 2);
    EXPECT_EQ(bpe_info.pad_id, 0);
    EXPECT_EQ(bpe_info.normalizer_name, "nmt_nfkc");
    EXPECT_FALSE(bpe_info.precompiled_charsmap.empty());
    EXPECT_EQ(bpe_info.pieces[4].piece, "<start_of_turn>");
    EXPECT_EQ(bpe_info.pieces[4].type, SentencePieceType::UserDefined);
    const auto bpe = load_sentencepiece_tokenizer((dir / "bpe.model").string());
    const auto ids = bpe->encode("1girl, solo<start_of_turn>user");
    EXPECT_FALSE(ids.empty());
    EXPECT_NE(std::find(ids.begin(), ids.end(), 4), ids.end());
    EXPECT_EQ(bpe->decode(ids), "1girl, solo<start_of_turn>user");

    train_sentencepiece(common + " --model_prefix=" + (dir / "unigram").string() +
                        " --model_type=unigram --vocab_size=300 --character_coverage=1.0");
    const auto info = read_sentencepiece_model((dir / "unigram.model").string());
    EXPECT_EQ(info.model_type, "unigram");
    EXPECT_EQ(info.pad_id, -1);
    const auto jina = load_sentencepiece_tokenizer_fairseq((dir / "unigram.model").string());
    EXPECT_EQ(jina->vocab_size(), static_cast<int64_t>(info.pieces.size()) + 2);
    EXPECT_EQ(jina->decode(jina->encode("1girl,  solo ")), "1girl, solo");
}

TEST(TokenizerTraining, FailuresCarryTheToolsMessage) {
    const auto dir = test::temp_dir("spm-train-fail");
    try {
        train_sentencepiece("--input=" + (dir / "missing-corpus.txt").string() +
                            " --model_prefix=" + (dir / "m").string() + " --vocab_size=100");
        ADD_FAILURE() << "no TokenizerError for a missing corpus";
    } catch (const TokenizerError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("precision-spm-train"), std::string::npos) << what;
        EXPECT_NE(what.find("missing-corpus.txt"), std::string::npos) << what;
    }
    test::write_file(dir / "corpus.txt", test::spm_training_corpus(50));
    try {
        train_sentencepiece("--input=" + (dir / "corpus.txt").string() + " --model_prefix=" + (dir / "m").string() +
                            " --vocab_size=100 --no_such_option=1");
        ADD_FAILURE() << "no TokenizerError for an unknown option";
    } catch (const TokenizerError& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_option"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "m.model"));
}

}  // namespace
}  // namespace studio
