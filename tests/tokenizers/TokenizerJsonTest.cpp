// tokenizer.json semantics on small hand-written files: Unigram Viterbi and unknown
// fusing, BPE merge order, split behaviours, Metaspace prepend schemes, added tokens.
#include "TokenizerTestUtil.h"
#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

const std::string kMeta = "\xE2\x96\x81";  // U+2581

std::unique_ptr<Tokenizer> load_json(const nlohmann::json& j, const std::string& name) {
    const auto path = test::temp_dir("tokjson-" + name) / "tokenizer.json";
    test::write_file(path, j.dump());
    return load_tokenizer_json(path.string());
}

using Vocab = std::vector<std::pair<std::string, double>>;

// A Unigram model over `vocab` (in id order), <unk> expected at id 0.
nlohmann::json unigram(const Vocab& vocab, const nlohmann::json& pre = nullptr, bool byte_fallback = false) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [piece, score] : vocab) list.push_back(nlohmann::json::array({piece, score}));
    return {{"added_tokens", nlohmann::json::array()},
            {"normalizer", nullptr},
            {"pre_tokenizer", pre},
            {"decoder", nullptr},
            {"model", {{"type", "Unigram"}, {"unk_id", 0}, {"vocab", list}, {"byte_fallback", byte_fallback}}}};
}

// Character vocab a b - plus merges a- -b --.
nlohmann::json dash_bpe(const nlohmann::json& pre) {
    return {{"pre_tokenizer", pre},
            {"model",
             {{"type", "BPE"},
              {"unk_token", "<unk>"},
              {"fuse_unk", true},
              {"vocab", {{"<unk>", 0}, {"a", 1}, {"b", 2}, {"-", 3}, {"a-", 4}, {"-b", 5}, {"--", 6}}},
              {"merges", {"a -", "- b", "- -"}}}}};
}

nlohmann::json split_on_dash(const std::string& behavior, bool invert = false) {
    return {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", invert}};
}

using Ids = std::vector<int64_t>;

TEST(TokenizerJsonUnigram, ViterbiPicksBestScoreAndFirstFoundOnTies) {
    const auto tok = load_json(
        unigram({{"<unk>", 0.0}, {"a", -1.0}, {"b", -1.0}, {"ab", -2.0}, {"c", -1.0}, {"bc", -1.5}}), "viterbi");
    EXPECT_EQ(tok->encode("ab"), (Ids{3}));      // "ab" (-2) ties "a"+"b" (-2): the first found stays
    EXPECT_EQ(tok->encode("abc"), (Ids{1, 5}));  // a + bc = -2.5 beats ab + c = -3
    EXPECT_EQ(tok->encode(""), Ids{});
    EXPECT_EQ(tok->vocab_size(), 6);
}

TEST(TokenizerJsonUnigram, UnknownRunsAreFusedIntoOneUnk) {
    const auto tok = load_json(unigram({{"<unk>", 0.0}, {"a", -1.0}}), "fuse");
    EXPECT_EQ(tok->encode("xyz"), (Ids{0}));
    EXPECT_EQ(tok->encode("xaé\xF0\x9F\x90\xB1"), (Ids{0, 1, 0}));
}

TEST(TokenizerJsonUnigram, ByteFallbackReplacesUnknownPieces) {
    const auto tok =
        load_json(unigram({{"<unk>", 0.0}, {"a", -1.0}, {"<0xC3>", -5.0}, {"<0xA9>", -5.0}}, nullptr, true), "bytes");
    EXPECT_EQ(tok->encode("a\xC3\xA9"), (Ids{1, 2, 3}));
    EXPECT_EQ(tok->encode("\xE2\x82\xAC"), (Ids{0}));  // no byte pieces for the euro sign: <unk>
}

TEST(TokenizerJsonUnigram, MetaspacePrependSchemes) {
    const Vocab vocab = {{"<unk>", 0.0}, {kMeta + "x", -1.0}, {"x", -2.0}, {kMeta, -3.0}};
    for (const auto& [scheme, expected] :
         std::vector<std::pair<std::string, Ids>>{{"always", {1, 4, 1}}, {"first", {1, 4, 2}}, {"never", {2, 4, 2}}}) {
        auto j = unigram(vocab,
                         {{"type", "Metaspace"}, {"replacement", kMeta}, {"prepend_scheme", scheme}, {"split", true}});
        j["added_tokens"] = {{{"id", 4}, {"content", "<sep>"}, {"special", true}, {"normalized", false}}};
        const auto tok = load_json(j, "meta-" + scheme);
        EXPECT_EQ(tok->encode("x<sep>x"), expected) << scheme;
    }
    // Spaces become word starts: "x  x" -> "▁x", "▁", "▁x".
    const auto tok = load_json(
        unigram(vocab, {{"type", "Metaspace"}, {"replacement", kMeta}, {"prepend_scheme", "always"}}), "meta-split");
    EXPECT_EQ(tok->encode("x  x"), (Ids{1, 3, 1}));
}

TEST(TokenizerJsonBpe, MergesFollowRankThenPosition) {
    const nlohmann::json j = {
        {"model",
         {{"type", "BPE"},
          {"unk_token", "<unk>"},
          {"vocab", {{"<unk>", 0}, {"a", 1}, {"b", 2}, {"c", 3}, {"ab", 4}, {"bc", 5}, {"abc", 6}, {"aa", 7}}},
          {"merges", nlohmann::json::array({{"b", "c"}, {"a", "b"}, {"ab", "c"}, {"a", "a"}})}}}};
    const auto tok = load_json(j, "ranks");
    EXPECT_EQ(tok->encode("abc"), (Ids{1, 5}));  // "b c" outranks "a b"; "a bc" is no merge
    EXPECT_EQ(tok->encode("ab"), (Ids{4}));
    EXPECT_EQ(tok->encode("aaa"), (Ids{7, 1}));  // equal ranks: leftmost first
}

TEST(TokenizerJsonBpe, UnknownCharactersFuseOnlyWhenAsked) {
    auto j = dash_bpe(nullptr);
    EXPECT_EQ(load_json(j, "fuse-on")->encode("axyb"), (Ids{1, 0, 2}));
    j["model"]["fuse_unk"] = false;
    EXPECT_EQ(load_json(j, "fuse-off")->encode("axyb"), (Ids{1, 0, 0, 2}));
}

TEST(TokenizerJsonBpe, SplitBehaviours) {
    EXPECT_EQ(load_json(dash_bpe(nullptr), "nosplit")->encode("a-b"), (Ids{4, 2}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("Removed")), "removed")->encode("a-b"), (Ids{1, 2}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("Isolated")), "isolated")->encode("a-b"), (Ids{1, 3, 2}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("MergedWithPrevious")), "prev")->encode("a-b"), (Ids{4, 2}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("MergedWithNext")), "next")->encode("a-b"), (Ids{1, 5}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("Isolated")), "isolated2")->encode("a--b"), (Ids{1, 3, 3, 2}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("Contiguous")), "contiguous")->encode("a--b"), (Ids{1, 6, 2}));
    EXPECT_EQ(load_json(dash_bpe(split_on_dash("Removed", true)), "inverted")->encode("a-b"), (Ids{3}));
    const nlohmann::json regex = {{"type", "Split"}, {"pattern", {{"Regex", "-+"}}}, {"behavior", "Isolated"}};
    EXPECT_EQ(load_json(dash_bpe(regex), "regex")->encode("a--b"), (Ids{1, 6, 2}));
}

TEST(TokenizerJsonBpe, DecoderChainRestoresText) {
    auto j = dash_bpe(nullptr);
    j["model"]["vocab"][kMeta] = 7;
    j["model"]["vocab"]["<0xC3>"] = 8;
    j["model"]["vocab"]["<0xA9>"] = 9;
    j["model"]["byte_fallback"] = true;
    j["normalizer"] = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kMeta}};
    j["decoder"] = {{"type", "Sequence"},
                    {"decoders",
                     {{{"type", "Replace"}, {"pattern", {{"String", kMeta}}}, {"content", " "}},
                      {{"type", "ByteFallback"}},
                      {{"type", "Fuse"}}}}};
    const auto tok = load_json(j, "decoder");
    const auto ids = tok->encode("a-b \xC3\xA9");
    EXPECT_EQ(ids, (Ids{4, 2, 7, 8, 9}));
    EXPECT_EQ(tok->decode(ids), "a-b \xC3\xA9");
    EXPECT_EQ(tok->decode({8, 1}),
              "\xEF\xBF\xBD"
              "a");  // a lone lead byte decodes to U+FFFD
}

TEST(TokenizerJsonAddedTokens, StripAndSingleWordRules) {
    const Vocab vocab = {{"<unk>", 0.0}, {"a", -1.0}, {"b", -1.0}, {" ", -1.0}, {"<", -1.0}, {"t", -1.0}, {">", -1.0}};
    auto j = unigram(vocab);
    j["added_tokens"] = {
        {{"id", 7}, {"content", "<l>"}, {"lstrip", true}, {"special", true}, {"normalized", false}},
        {{"id", 8}, {"content", "<r>"}, {"rstrip", true}, {"special", true}, {"normalized", false}},
        {{"id", 9}, {"content", "<t>"}, {"single_word", true}, {"special", false}, {"normalized", false}},
    };
    const auto tok = load_json(j, "added");
    EXPECT_EQ(tok->encode("a  <l>b"), (Ids{1, 7, 2}));
    EXPECT_EQ(tok->encode("a<r>  b"), (Ids{1, 8, 2}));
    EXPECT_EQ(tok->encode("a <t> b"), (Ids{1, 3, 9, 3, 2}));
    EXPECT_EQ(tok->encode("a<t>b"), (Ids{1, 4, 5, 6, 2}));  // inside a word: not the added token
    EXPECT_EQ(tok->id_to_piece(9), "<t>");
    EXPECT_EQ(tok->vocab_size(), 10);
    EXPECT_EQ(tok->decode({1, 7, 9}), "a <t>");  // no decoder: joined by spaces, specials skipped
}

TEST(TokenizerJsonHostile, SparseBpeIdsAndOutOfRangeNumbersAreRefused) {
    auto sparse = dash_bpe(nullptr);
    sparse["model"]["vocab"]["--"] = 222222222;  // a fuzz input asked for a 7 GB id table
    try {
        load_json(sparse, "sparse");
        FAIL() << "a sparse BPE vocab loaded";
    } catch (const TokenizerError& e) {
        EXPECT_NE(std::string(e.what()).find("sparse"), std::string::npos) << e.what();
    }
    auto unk = unigram({{"<unk>", 0.0}, {"a", -1.0}});
    unk["model"]["unk_id"] = 1e30;  // float past int64: undefined behaviour before the check
    EXPECT_THROW(load_json(unk, "unk-float"), TokenizerError);
    auto added = unigram({{"<unk>", 0.0}, {"a", -1.0}});
    added["added_tokens"] = {{{"id", -2.5e200}, {"content", "<x>"}}};
    EXPECT_THROW(load_json(added, "added-float"), TokenizerError);
}

TEST(TokenizerJsonNormalizers, SequenceOfStripReplacePrepend) {
    auto j = unigram({{"<unk>", 0.0}, {"_x", -1.0}, {"_", -2.0}, {"x", -2.0}, {"y", -2.0}});
    j["normalizer"] = {{"type", "Sequence"},
                       {"normalizers",
                        {{{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}},
                         {{"type", "Replace"}, {"pattern", {{"Regex", " +"}}}, {"content", "_"}},
                         {{"type", "Prepend"}, {"prepend", "_"}}}}};
    const auto tok = load_json(j, "normalizers");
    EXPECT_EQ(tok->encode(" \t x   x\xE3\x80\x80 "), (Ids{1, 1}));  // U+3000 is whitespace too
    EXPECT_EQ(tok->encode("   "), Ids{});
}

}  // namespace
}  // namespace studio
