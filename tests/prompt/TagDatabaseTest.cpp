// The tag database: loading, lookup with aliases, field-aware completion ranking, exclusivity.
#include "studio/Errors.h"
#include "studio/prompt/TagDatabase.h"

#include <TestSupport.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace studio {
namespace {

std::string default_csv() { return (test::source_dir() / "resources" / "tags" / "danbooru_tags.csv").string(); }

std::vector<std::string> names(const std::vector<const TagInfo*>& infos) {
    std::vector<std::string> out;
    for (const auto* t : infos) out.push_back(t->tag);
    return out;
}

// Small list with known counts so that rankings are exact.
const char* kSmallCsv = "tag,category,count,aliases\n"
                        "blush,expression,1000,\n"
                        "bow,clothing,800,\"bow_(ornament),ribbon_bow\"\n"
                        "bowtie,clothing,900,bow_tie\n"
                        "blue_hair,hair_color,500,\n"
                        "blue_eyes,eye_color,400,\n"
                        "long_hair,hair_style,700,\n"
                        "hair_ornament,accessory,600,\n"
                        "hair_bun,hair_style,100,\n";

TEST(TagDatabase, DefaultListIsLargeAndCoversTheCategories) {
    const TagDatabase db = TagDatabase::load(default_csv());
    EXPECT_GE(db.size(), 500u);
    const auto cats = db.categories();
    for (const char* c : {"count", "hair_color", "hair_style", "eye_color", "expression", "clothing", "accessory",
                          "background", "action", "position", "style", "quality", "lighting", "composition"})
        EXPECT_NE(std::find(cats.begin(), cats.end(), c), cats.end()) << c;
    EXPECT_TRUE(std::is_sorted(cats.begin(), cats.end()));
    for (const char* hair : {"blue_hair", "silver_hair", "blonde_hair", "red_hair", "black_hair"})
        EXPECT_EQ(db.find(hair)->category, "hair_color") << hair;
    for (const char* eyes : {"blue_eyes", "red_eyes", "green_eyes"}) EXPECT_EQ(db.find(eyes)->category, "eye_color") << eyes;
    for (const char* count : {"1girl", "2girls", "1boy", "multiple_girls"}) EXPECT_EQ(db.find(count)->category, "count");
    EXPECT_GT(db.find("1girl")->count, db.find("2girls")->count);
}

TEST(TagDatabase, FindNormalisesAndResolvesAliases) {
    const TagDatabase db = TagDatabase::parse_csv(kSmallCsv);
    ASSERT_NE(db.find("blue_hair"), nullptr);
    EXPECT_EQ(db.find("  Blue Hair ")->tag, "blue_hair");
    EXPECT_EQ(db.find("bow_tie")->tag, "bowtie");
    EXPECT_EQ(db.find("bow_\\(ornament\\)")->tag, "bow");  // escaped parentheses as written in prompts
    EXPECT_EQ(db.find("ribbon bow")->tag, "bow");
    EXPECT_EQ(db.find("bow")->aliases.size(), 2u);
    EXPECT_EQ(db.find("red_hair"), nullptr);
    EXPECT_EQ(normalize_tag(" Seia \\(Blue Archive\\) "), "seia_(blue_archive)");
}

TEST(TagDatabase, CompletionRanksByCount) {
    const TagDatabase db = TagDatabase::parse_csv(kSmallCsv);
    // hair_bun matches at its second word, after every tag that starts with "b".
    EXPECT_EQ(names(db.complete("b")),
              (std::vector<std::string>{"blush", "bowtie", "bow", "blue_hair", "blue_eyes", "hair_bun"}));
    EXPECT_EQ(names(db.complete("b", {}, 2)), (std::vector<std::string>{"blush", "bowtie"}));
    EXPECT_TRUE(db.complete("zzz").empty());
}

TEST(TagDatabase, CompletionPutsTheExactMatchFirst) {
    const TagDatabase db = TagDatabase::parse_csv(kSmallCsv);
    const auto bow = names(db.complete("bow"));
    ASSERT_GE(bow.size(), 2u);
    EXPECT_EQ(bow[0], "bow");  // although bowtie is more popular
    EXPECT_EQ(bow[1], "bowtie");
}

TEST(TagDatabase, CompletionIsFieldAware) {
    const TagDatabase db = TagDatabase::parse_csv(kSmallCsv);
    EXPECT_EQ(names(db.complete("b", "appearance")),
              (std::vector<std::string>{"blue_hair", "blue_eyes", "hair_bun", "blush", "bowtie", "bow"}));
    EXPECT_EQ(names(db.complete("b", "expression"))[0], "blush");
    EXPECT_EQ(names(db.complete("b", "clothing"))[0], "bowtie");
    // Unknown field: plain popularity.
    EXPECT_EQ(names(db.complete("b", "no_such_field"))[0], "blush");
}

TEST(TagDatabase, CompletionMatchesAliasesAndLaterWords) {
    const TagDatabase db = TagDatabase::parse_csv(kSmallCsv);
    // Prefix matches (hair_ornament, hair_bun) come before word matches (long_hair, blue_hair);
    // in <appearance> the hair tags go first.
    EXPECT_EQ(names(db.complete("hair")), (std::vector<std::string>{"hair_ornament", "hair_bun", "long_hair", "blue_hair"}));
    EXPECT_EQ(names(db.complete("hair", "appearance")),
              (std::vector<std::string>{"hair_bun", "long_hair", "blue_hair", "hair_ornament"}));
    EXPECT_EQ(names(db.complete("ribbon")), std::vector<std::string>{"bow"});
    // An empty prefix lists the field's most used tags.
    EXPECT_EQ(names(db.complete("", "appearance", 3)), (std::vector<std::string>{"long_hair", "blue_hair", "blue_eyes"}));
}

TEST(TagDatabase, DefaultListCompletesHairColoursInAppearance) {
    const TagDatabase db = TagDatabase::load(default_csv());
    const auto results = db.complete("bl", "appearance", 5);
    ASSERT_EQ(results.size(), 5u);
    for (const auto* t : results) {
        const auto& preferred = TagDatabase::field_categories("appearance");
        EXPECT_NE(std::find(preferred.begin(), preferred.end(), t->category), preferred.end()) << t->tag;
    }
    EXPECT_EQ(results[0]->tag, "blue_eyes");  // the most used bl* hair/eye tag
    EXPECT_EQ(db.complete("bl", {}, 1)[0]->tag, "blush");
}

TEST(TagDatabase, ExclusiveCategories) {
    EXPECT_TRUE(TagDatabase::is_exclusive_category("hair_color"));
    EXPECT_TRUE(TagDatabase::is_exclusive_category("eye_color"));
    EXPECT_FALSE(TagDatabase::is_exclusive_category("hair_style"));
    EXPECT_FALSE(TagDatabase::is_exclusive_category("clothing"));
    EXPECT_FALSE(TagDatabase::is_exclusive_category(""));
}

TEST(TagDatabase, CsvVariantsAndDuplicates) {
    const TagDatabase db = TagDatabase::parse_csv("# comment\n\n"
                                                  "\"quoted,tag\",general,5,\n"
                                                  "some_artist,1,10,\"a|b\"\r\n"
                                                  "some_character,4,20\n"
                                                  "bare_tag\n"
                                                  "bare_tag,meta,99,extra_alias\n");
    EXPECT_EQ(db.size(), 4u);
    EXPECT_EQ(db.find("quoted,tag")->count, 5);
    EXPECT_EQ(db.find("some_artist")->category, "artist");
    EXPECT_EQ(db.find("b")->tag, "some_artist");
    EXPECT_EQ(db.find("some_character")->category, "character");
    EXPECT_EQ(db.find("bare_tag")->category, "general");  // first entry wins
    EXPECT_EQ(db.find("bare_tag")->count, 0);
    EXPECT_EQ(db.find("extra_alias")->tag, "bare_tag");  // later aliases are kept
}

TEST(TagDatabase, MalformedListsThrowWithTheLine) {
    try {
        TagDatabase::parse_csv("tag,category,count\nok,general,1\nbad,general,12x\n", "list.csv");
        FAIL() << "expected an error";
    } catch (const StudioError& e) {
        EXPECT_NE(std::string(e.what()).find("list.csv:3"), std::string::npos) << e.what();
    }
    EXPECT_THROW(TagDatabase::parse_csv("\"unterminated,general,1\n"), StudioError);
    EXPECT_THROW(TagDatabase::parse_csv("x,general,-5\n"), StudioError);
    EXPECT_THROW(TagDatabase::load("/nonexistent/tags.csv"), StudioError);
}

TEST(TagDatabase, FolderLoadAndDefaultLookup) {
    const auto dir = test::temp_dir("prompt-tags");
    std::filesystem::create_directories(dir / "tags");
    std::ofstream(dir / "tags" / "danbooru_tags.csv") << "blue_hair,hair_color,10,\n";
    std::ofstream(dir / "tags" / "more.csv") << "blue_hair,general,99,azure_hair\nred_hair,hair_color,5,\n";
    std::ofstream(dir / "tags" / "notes.txt") << "not a tag list\n";

    const TagDatabase merged = TagDatabase::load((dir / "tags").string());
    EXPECT_EQ(merged.size(), 2u);
    EXPECT_EQ(merged.find("blue_hair")->category, "hair_color");  // the default list wins
    EXPECT_EQ(merged.find("azure_hair")->tag, "blue_hair");

    ::setenv("STUDIO_RESOURCES_DIR", dir.c_str(), 1);
    const TagDatabase from_env = TagDatabase::load_default();
    ::unsetenv("STUDIO_RESOURCES_DIR");
    EXPECT_EQ(from_env.size(), 2u);

    // Without the variable the source tree's list is found.
    EXPECT_GE(TagDatabase::load_default().size(), 500u);
    test::remove_tree(dir);
}

}  // namespace
}  // namespace studio
