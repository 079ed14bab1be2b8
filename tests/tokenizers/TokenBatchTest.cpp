// make_gemma_batch / make_jina_batch: special tokens, truncation, padding and masks.
#include <gtest/gtest.h>

#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

// One id per byte (byte + 100), so expected rows are easy to write.
class ByteTokenizer : public Tokenizer {
public:
    std::vector<int64_t> encode(const std::string& text) const override {
        std::vector<int64_t> ids;
        for (unsigned char c : text) ids.push_back(c + 100);
        return ids;
    }
    std::string decode(const std::vector<int64_t>&) const override { return {}; }
    int64_t vocab_size() const override { return 356; }
    std::string id_to_piece(int64_t id) const override { return std::string(1, static_cast<char>(id - 100)); }
    std::string description() const override { return "bytes"; }
};

using Ids = std::vector<int64_t>;
constexpr int64_t A = 'a' + 100;

TEST(TokenBatch, GemmaAddsBosAndPadsToMultipleOfEight) {
    const ByteTokenizer tok;
    const auto b = make_gemma_batch(tok, {"ab", "abcdefghij", ""});
    ASSERT_EQ(b.ids.size(), 3u);
    EXPECT_EQ(b.length, 16);
    EXPECT_EQ(b.lengths, (Ids{3, 11, 1}));
    EXPECT_EQ(b.truncated, (std::vector<bool>{false, false, false}));
    Ids row0(16, 0);
    row0[0] = 2, row0[1] = A, row0[2] = A + 1;
    EXPECT_EQ(b.ids[0], row0);
    Ids mask0(16, 0);
    mask0[0] = mask0[1] = mask0[2] = 1;
    EXPECT_EQ(b.mask[0], mask0);
    EXPECT_EQ(b.ids[2], (Ids{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    for (const auto& row : b.ids) EXPECT_EQ(row.size(), 16u);
}

TEST(TokenBatch, GemmaTruncatesKeepingBos) {
    const ByteTokenizer tok;
    const auto b = make_gemma_batch(tok, {"abcdefgh", "ab"}, 5, 8, 2, 0);
    EXPECT_EQ(b.truncated, (std::vector<bool>{true, false}));
    EXPECT_EQ(b.lengths, (Ids{5, 3}));
    EXPECT_EQ(b.length, 8);  // the multiple-of-8 rounding may pass max_length, as in HF
    EXPECT_EQ(b.ids[0], (Ids{2, A, A + 1, A + 2, A + 3, 0, 0, 0}));
    EXPECT_EQ(b.mask[0], (Ids{1, 1, 1, 1, 1, 0, 0, 0}));
}

TEST(TokenBatch, GemmaWithoutRoundingAndCustomIds) {
    const ByteTokenizer tok;
    const auto b = make_gemma_batch(tok, {"abc", "a"}, 512, 1, 7, 9);
    EXPECT_EQ(b.length, 4);
    EXPECT_EQ(b.ids[1], (Ids{7, A, 9, 9}));
    EXPECT_EQ(b.mask[1], (Ids{1, 1, 0, 0}));
}

TEST(TokenBatch, EmptyBatch) {
    const ByteTokenizer tok;
    const auto g = make_gemma_batch(tok, {});
    EXPECT_EQ(g.length, 0);
    EXPECT_TRUE(g.ids.empty());
    EXPECT_TRUE(make_jina_batch(tok, {}).mask.empty());
}

TEST(TokenBatch, JinaWrapsTruncatesKeepingEosAndPadsWithOne) {
    const ByteTokenizer tok;
    const auto b = make_jina_batch(tok, {"ab", "abcdef", ""}, 6);
    EXPECT_EQ(b.length, 6);
    EXPECT_EQ(b.truncated, (std::vector<bool>{false, true, false}));
    EXPECT_EQ(b.lengths, (Ids{4, 6, 2}));
    EXPECT_EQ(b.ids[0], (Ids{0, A, A + 1, 2, 1, 1}));
    EXPECT_EQ(b.ids[1], (Ids{0, A, A + 1, A + 2, A + 3, 2}));
    EXPECT_EQ(b.ids[2], (Ids{0, 2, 1, 1, 1, 1}));
    EXPECT_EQ(b.mask[0], (Ids{1, 1, 1, 1, 0, 0}));
    EXPECT_EQ(b.mask[1], (Ids{1, 1, 1, 1, 1, 1}));
}

TEST(TokenBatch, JinaExactFitIsNotTruncated) {
    const ByteTokenizer tok;
    const auto b = make_jina_batch(tok, {"abcd"}, 6);
    EXPECT_FALSE(b.truncated[0]);
    EXPECT_EQ(b.ids[0], (Ids{0, A, A + 1, A + 2, A + 3, 2}));
}

TEST(TokenBatch, InvalidMaxLength) {
    const ByteTokenizer tok;
    EXPECT_THROW(make_gemma_batch(tok, {"a"}, 0), TokenizerError);
    EXPECT_THROW(make_jina_batch(tok, {"a"}, 1), TokenizerError);
    const auto b = make_jina_batch(tok, {"abc"}, 2);
    EXPECT_EQ(b.ids[0], (Ids{0, 2}));
    EXPECT_TRUE(b.truncated[0]);
}

}  // namespace
}  // namespace studio
