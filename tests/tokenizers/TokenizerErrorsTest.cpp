// Bad input: every loader failure is a TokenizerError that names the file.
#include "TokenizerTestUtil.h"
#include "studio/Errors.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

// Runs `load` and checks it throws a TokenizerError whose message names `path` and `detail`.
template <typename F>
void expect_tokenizer_error(F load, const std::string& path, const std::string& detail = {}) {
    try {
        load();
        ADD_FAILURE() << "no TokenizerError for " << path;
    } catch (const TokenizerError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        if (!detail.empty()) {
            EXPECT_NE(what.find(detail), std::string::npos) << what;
        }
    }
}

TEST(TokenizerErrors, MissingFiles) {
    const auto dir = test::temp_dir("tok-missing");
    const std::string model = (dir / "tokenizer.model").string(), json = (dir / "tokenizer.json").string();
    expect_tokenizer_error([&] { load_sentencepiece_tokenizer(model); }, model, "not found");
    expect_tokenizer_error([&] { load_sentencepiece_tokenizer_fairseq(model); }, model);
    expect_tokenizer_error([&] { load_tokenizer_json(json); }, json, "not found");
    expect_tokenizer_error([&] { load_tokenizer_json(dir.string()); }, dir.string());  // a folder, not a file
}

TEST(TokenizerErrors, CorruptSentencePieceModels) {
    const auto dir = test::temp_dir("tok-corrupt");
    const std::vector<std::string> blobs = {"", "garbage that is not a protobuf",
                                            std::string("\x0a\x05\x0a\x01", 4),           // truncated piece
                                            std::string("\x0a\xff\xff\xff\xff\x0f", 6)};  // length past the end
    for (size_t i = 0; i < blobs.size(); ++i) {
        const auto path = (dir / ("bad" + std::to_string(i) + ".model")).string();
        test::write_file(path, blobs[i]);
        expect_tokenizer_error([&] { load_sentencepiece_tokenizer(path); }, path);
        expect_tokenizer_error([&] { read_sentencepiece_model(path); }, path);
    }
}

TEST(TokenizerErrors, InvalidJsonAndUnsupportedContent) {
    const auto dir = test::temp_dir("tok-json");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{\"model\": {\"type\": \"Unigram\", ", "invalid JSON"},
        {"[1, 2, 3]", "model"},
        {R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})", "WordPiece"},
        {R"({"model": {"type": "Unigram", "vocab": []}})", "non-empty list"},
        {R"({"model": {"type": "Unigram", "unk_id": 5, "vocab": [["a", 0.0]]}})", "unk_id"},
        {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})", "merge"},
        {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]}})", "merge"},
        {R"({"normalizer": {"type": "NFKC"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})", "NFKC"},
        {R"({"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
         "ByteLevel"},
        {R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\p{L}+"}, "behavior": "Isolated"},
             "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
         "regex"},
        {R"({"normalizer": {"type": "Replace", "pattern": {"Regex": "(["}, "content": ""},
             "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
         "regex"},
        {R"({"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAA!!"},
             "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
         "base64"},
        {R"({"model": {"type": "Unigram", "vocab": [["a", "high"]]}})", "malformed"},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto path = (dir / ("t" + std::to_string(i) + ".json")).string();
        test::write_file(path, cases[i].first);
        SCOPED_TRACE(cases[i].first);
        expect_tokenizer_error([&] { load_tokenizer_json(path); }, path, cases[i].second);
    }
}

TEST(TokenizerErrors, ComponentWithoutTokenizerFiles) {
    ComponentFiles c;
    c.kind = ComponentKind::Clip;
    c.dir = "/models/clip_model";
    expect_tokenizer_error([&] { load_component_tokenizer(c); }, "/models/clip_model", "no tokenizer");
    c.kind = ComponentKind::Vae;
    EXPECT_THROW(load_component_tokenizer(c), TokenizerError);
    // Both files broken: the error names both.
    const auto dir = test::temp_dir("tok-both-bad");
    c.kind = ComponentKind::TextEncoder;
    c.tokenizer_model = (dir / "tokenizer.model").string();
    c.tokenizer_json = (dir / "tokenizer.json").string();
    test::write_file(c.tokenizer_model, "xx");
    test::write_file(c.tokenizer_json, "{");
    try {
        load_component_tokenizer(c);
        ADD_FAILURE() << "no TokenizerError";
    } catch (const TokenizerError& e) {
        EXPECT_NE(std::string(e.what()).find(c.tokenizer_model), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(c.tokenizer_json), std::string::npos) << e.what();
    }
}

TEST(TokenizerErrors, OutOfRangeIds) {
    const auto path = test::temp_dir("tok-range") / "tokenizer.json";
    test::write_file(path, R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0]]}})");
    const auto tok = load_tokenizer_json(path.string());
    EXPECT_THROW(tok->id_to_piece(2), TokenizerError);
    EXPECT_THROW(tok->id_to_piece(-1), TokenizerError);
    EXPECT_THROW(tok->decode({1, 7}), TokenizerError);
    EXPECT_EQ(tok->id_to_piece(1), "a");
}

}  // namespace
}  // namespace studio
