// The regex subset of Replace / Split patterns (an internal class of studio_tokenizers).
#include <gtest/gtest.h>

#include "SimpleRegex.h"
#include "studio/Errors.h"

namespace studio::tok {
namespace {

using Matches = std::vector<std::pair<size_t, size_t>>;

TEST(SimpleRegex, QuantifiersAndClasses) {
    EXPECT_EQ(SimpleRegex(" {2,}").find_all("a b  c   d"), (Matches{{3, 5}, {6, 9}}));
    EXPECT_EQ(SimpleRegex("x{2,3}").find_all("xxxxxxx"), (Matches{{0, 3}, {3, 6}}));
    EXPECT_EQ(SimpleRegex("x{2}").find_all("x xx"), (Matches{{2, 4}}));
    EXPECT_EQ(SimpleRegex("\\s+").find_all("a \t\nb\xE3\x80\x80"), (Matches{{1, 4}, {5, 8}}));
    EXPECT_EQ(SimpleRegex("[\\t\\n]").find_all("a\tb\n"), (Matches{{1, 2}, {3, 4}}));
    EXPECT_EQ(SimpleRegex("[^a-c]+").find_all("abxyzc-"), (Matches{{2, 5}, {6, 7}}));
    EXPECT_EQ(SimpleRegex("a.c").find_all("abc a\nc a\xC3\xA9"
                                          "c"),
              (Matches{{0, 3}, {8, 12}}));
    EXPECT_EQ(SimpleRegex("\\d+\\.?\\d*").find_all("v1.25 x 7"), (Matches{{1, 5}, {8, 9}}));
    EXPECT_EQ(SimpleRegex("\xE2\x96\x81+")
                  .find_all("a\xE2\x96\x81\xE2\x96\x81"
                            "b"),
              (Matches{{1, 7}}));
    EXPECT_EQ(SimpleRegex("a*").find_all("bab"), (Matches{{1, 2}}));  // empty matches are skipped
}

TEST(SimpleRegex, BacktracksIntoGreedyRepeats) {
    EXPECT_EQ(SimpleRegex("a+ab").find_all("aaab"), (Matches{{0, 4}}));
    EXPECT_EQ(SimpleRegex("\\w+_").find_all("long_hair_x"), (Matches{{0, 10}}));
}

TEST(SimpleRegex, LongRunsDoNotExhaustTheStack) {
    const std::string spaces = "a" + std::string(1000000, ' ') + "b";
    EXPECT_EQ(SimpleRegex(" {2,}").find_all(spaces), (Matches{{1, 1000001}}));
}

TEST(SimpleRegex, UnsupportedSyntaxIsRejected) {
    for (const char* p : {"(a)", "a|b", "^a", "a$", "a+?", "\\p{L}", "[a-", "{2}", "", "x{3,1}", "\\"})
        EXPECT_THROW(SimpleRegex{p}, TokenizerError) << p;
}

}  // namespace
}  // namespace studio::tok
