// The SentencePiece charsmap: a hand-built trie for the matching rules, and the nmt_nfkc
// map carried by the xlmr_like tokenizer.json for a few NFKC / whitespace rules.
#include <fstream>

#include "TokenizerTestUtil.h"
#include "studio/Errors.h"
#include "studio/tokenizers/PrecompiledCharsmap.h"

namespace studio {
namespace {

// Rules "a" -> "x" and "ab" -> "y" (overlapping prefixes) plus "\xCC\x80" (U+0300) -> "y".
std::string overlapping_charsmap() {
    std::vector<uint32_t> trie(256, 0);
    trie['a'] = 'a' | (1u << 8) | (1u << 10);  // node 'a', leaf, children at 97 ^ 1 = 96
    trie[96] = 0;                              // value of "a": offset 0 ("x")
    trie[96 ^ 'b'] = 'b' | (1u << 8) | (1u << 10);
    trie[(96 ^ 'b') ^ 1] = 2;        // value of "ab": offset 2 ("y")
    trie[0xCC] = 0xCC | (1u << 10);  // first byte of U+0300, no leaf
    trie[(0xCC ^ 1) ^ 0x80] = 0x80 | (1u << 8) | (1u << 10);
    trie[((0xCC ^ 1) ^ 0x80) ^ 1] = 2;
    std::string blob;
    const auto put = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    };
    put(static_cast<uint32_t>(trie.size() * 4));
    for (uint32_t u : trie) put(u);
    blob += std::string("x\0y\0", 4);
    return blob;
}

TEST(PrecompiledCharsmap, LongestPrefixWinsElseCharacterKept) {
    const PrecompiledCharsmap map(overlapping_charsmap(), "test");
    std::string_view rep;
    EXPECT_EQ(map.match_prefix("abc", &rep), 2u);
    EXPECT_EQ(rep, "y");
    EXPECT_EQ(map.match_prefix("ac", &rep), 1u);
    EXPECT_EQ(rep, "x");
    EXPECT_EQ(map.match_prefix("ba", &rep), 0u);
    EXPECT_EQ(map.normalize("ab"), "y");
    EXPECT_EQ(map.normalize("abca"), "ycx");
    EXPECT_EQ(map.normalize("\xC3\xA9\xCC\x80z"), "\xC3\xA9yz");
    EXPECT_EQ(map.normalize(""), "");
}

TEST(PrecompiledCharsmap, MalformedBlobsAreRejected) {
    EXPECT_THROW(PrecompiledCharsmap(std::string("\x01\x00", 2), "x"), TokenizerError);
    EXPECT_THROW(PrecompiledCharsmap(std::string("\x08\x00\x00\x00\x01\x00\x00\x00", 8), "x"), TokenizerError);
    EXPECT_THROW(PrecompiledCharsmap(std::string("\x05\x00\x00\x00\x01\x00\x00\x00\x00", 9), "x"), TokenizerError);
    EXPECT_THROW(PrecompiledCharsmap::from_base64("@@@", "x"), TokenizerError);
    EXPECT_TRUE(PrecompiledCharsmap(std::string(), "x").empty());
    // A trie whose offsets point outside the array matches nothing instead of reading past it.
    std::string wild("\x04\x00\x00\x00\xff\xff\xff\xff", 8);
    EXPECT_EQ(PrecompiledCharsmap(wild, "x").normalize("abc"), "abc");
}

TEST(FixturePrecompiledCharsmap, NmtNfkcRulesOfXlmrTokenizer) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    std::ifstream in(test::xlmr_json_path());
    const auto j = nlohmann::json::parse(in);
    const nlohmann::json* precompiled = nullptr;
    for (const auto& n : j.at("normalizer").at("normalizers"))
        if (n.at("type") == "Precompiled") precompiled = &n;
    ASSERT_NE(precompiled, nullptr);
    const auto map =
        PrecompiledCharsmap::from_base64(precompiled->at("precompiled_charsmap").get<std::string>(), "xlmr");
    EXPECT_EQ(map.normalize("\xEF\xBC\xA1\xEF\xBD\x82\xEF\xBC\x91"), "Ab1");  // fullwidth "Ａｂ１"
    EXPECT_EQ(map.normalize("\xEF\xAC\x81"), "fi");                           // ligature U+FB01
    EXPECT_EQ(map.normalize("\xF0\x9D\x94\xBE"), "G");                        // U+1D53E
    EXPECT_EQ(map.normalize("a\tb\nc"), "a b c");                             // nmt: controls to spaces
    EXPECT_EQ(map.normalize("plain ascii, 1girl"), "plain ascii, 1girl");
}

}  // namespace
}  // namespace studio
