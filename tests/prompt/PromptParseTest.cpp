// Parsing NewBie XML prompts: structure, positions and every parse error with its line/column.
#include "studio/Errors.h"
#include "studio/prompt/PromptDocument.h"

#include <gtest/gtest.h>

namespace studio {
namespace {

const char* kOfficialExample = R"(<character_1>
<n>$character_1$</n>
<gender>1girl</gender>
<appearance>chibi, red_eyes, blue_hair, long_hair, hair_between_eyes, head_tilt</appearance>
<clothing>school_uniform, serafuku, white_sailor_collar, red_neckerchief, pleated_skirt</clothing>
<expression>happy, smile</expression>
<action>standing, holding, holding_briefcase</action>
<position>center_left</position>
</character_1>
<character_2>
  <n>$character_2$</n>
  <gender>1girl</gender>
  <appearance>short_hair, black_hair, green_eyes</appearance>
</character_2>
<general_tags>
<count>2girls, multiple_girls</count>
<style>anime_style, digital_art</style>
<background>white_background, simple_background</background>
<quality>high_resolution, detailed</quality>
<objects>briefcase</objects>
</general_tags>)";

// The error a text raises; fails the test when it parses.
PromptParseError parse_error(const std::string& text) {
    try {
        parse_prompt(text);
    } catch (const PromptParseError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a parse error for:\n" << text;
    return PromptParseError("no error", -1, -1);
}

TEST(PromptParse, OfficialExampleStructure) {
    const PromptDocument doc = parse_prompt(kOfficialExample);
    ASSERT_TRUE(doc.is_xml);
    ASSERT_EQ(doc.characters.size(), 2u);
    EXPECT_EQ(doc.characters[0].index, 1);
    EXPECT_EQ(doc.characters[1].index, 2);
    EXPECT_EQ(doc.characters[1].element, "character_2");
    const PromptField* appearance = doc.characters[0].find("appearance");
    ASSERT_NE(appearance, nullptr);
    EXPECT_EQ(appearance->tags,
              (std::vector<std::string>{"chibi", "red_eyes", "blue_hair", "long_hair", "hair_between_eyes", "head_tilt"}));
    EXPECT_EQ(doc.characters[0].find("n")->tags, std::vector<std::string>{"$character_1$"});
    EXPECT_EQ(doc.characters[0].find("missing"), nullptr);
    ASSERT_EQ(doc.general_tags.size(), 5u);
    EXPECT_EQ(doc.general_tags[0].name, "count");
    EXPECT_EQ(doc.general("objects")->tags, std::vector<std::string>{"briefcase"});
    EXPECT_EQ(doc.general("count")->raw, "2girls, multiple_girls");
    EXPECT_TRUE(doc.extra_elements.empty());
}

TEST(PromptParse, PositionsAreLineAndColumnOfTheElement) {
    const PromptDocument doc = parse_prompt(kOfficialExample);
    EXPECT_EQ(doc.characters[0].line, 1);
    EXPECT_EQ(doc.characters[0].column, 1);
    EXPECT_EQ(doc.characters[0].find("clothing")->line, 5);
    EXPECT_EQ(doc.characters[1].line, 10);
    EXPECT_EQ(doc.characters[1].find("gender")->line, 12);
    EXPECT_EQ(doc.characters[1].find("gender")->column, 3);  // two-space indent
    EXPECT_EQ(doc.general("style")->line, 17);
}

TEST(PromptParse, ColumnsCountCodePointsAndSkipBom) {
    // "\xEF\xBB\xBF" BOM, CRLF line ends; line 2 has 2 CJK characters (3 bytes each) before <gender>.
    const std::string text = "\xEF\xBB\xBF<character_1>\r\n<n>初音</n><gender>1girl</gender>\r\n</character_1>";
    const PromptDocument doc = parse_prompt(text);
    ASSERT_EQ(doc.characters.size(), 1u);
    EXPECT_EQ(doc.characters[0].line, 1);
    EXPECT_EQ(doc.characters[0].column, 1);
    EXPECT_EQ(doc.characters[0].find("n")->tags, std::vector<std::string>{"初音"});
    EXPECT_EQ(doc.characters[0].find("gender")->line, 2);
    EXPECT_EQ(doc.characters[0].find("gender")->column, 10);  // "<n>初音</n>" is 9 code points
}

TEST(PromptParse, ImageWrapperLeadingStyleAndCaption) {
    const std::string text = "<style>style of someone</style>\n\n<image>\n  <caption>A girl waves, smiling, at the sea.</caption>\n"
                             "  <character_1>\n    <n>ganyu_\\(genshin_impact\\)</n>\n  </character_1>\n"
                             "  <general_tags>\n    <count>1girl, solo</count>\n  </general_tags>\n</image>";
    const PromptDocument doc = parse_prompt(text);
    ASSERT_EQ(doc.extra_elements.size(), 2u);
    EXPECT_EQ(doc.extra_elements[0].name, "style");
    EXPECT_EQ(doc.extra_elements[1].name, "caption");
    // A caption is natural language: not split at commas.
    EXPECT_EQ(doc.extra_elements[1].tags, std::vector<std::string>{"A girl waves, smiling, at the sea."});
    EXPECT_EQ(doc.extra_elements[1].line, 4);
    EXPECT_EQ(doc.extra_elements[1].column, 3);
    ASSERT_EQ(doc.characters.size(), 1u);
    EXPECT_EQ(doc.characters[0].find("n")->tags, std::vector<std::string>{"ganyu_\\(genshin_impact\\)"});
    EXPECT_EQ(doc.characters[0].line, 5);
    EXPECT_EQ(doc.general("count")->tags.size(), 2u);
}

TEST(PromptParse, PlainTextPromptsStayPlain) {
    for (const std::string text : {"1girl, solo, blue_hair, smile", "a girl standing in the rain", "heart <3, x < y",
                                   "a <- b, 2 > 1"}) {
        const PromptDocument doc = parse_prompt(text);
        EXPECT_FALSE(doc.is_xml) << text;
        EXPECT_EQ(doc.plain_text, text);
        EXPECT_TRUE(doc.characters.empty());
    }
}

TEST(PromptParse, LooksLikeXml) {
    EXPECT_TRUE(looks_like_xml("<character_1></character_1>"));
    EXPECT_TRUE(looks_like_xml("tags <b>bold"));
    EXPECT_TRUE(looks_like_xml("x </gender>"));
    EXPECT_TRUE(looks_like_xml("<br/>"));
    EXPECT_FALSE(looks_like_xml("1girl, <3"));
    EXPECT_FALSE(looks_like_xml("a < b > c"));
    EXPECT_FALSE(looks_like_xml("<unfinished"));
    EXPECT_FALSE(looks_like_xml(""));
}

TEST(PromptParse, TagSplitting) {
    EXPECT_EQ(split_tags("  blue_hair ,long_hair,, \n twintails,\n"),
              (std::vector<std::string>{"blue_hair", "long_hair", "twintails"}));
    EXPECT_EQ(split_tags("蓝发，长发, 猫耳"), (std::vector<std::string>{"蓝发", "长发", "猫耳"}));
    EXPECT_EQ(split_tags("seia_\\(blue_archive\\), halo"), (std::vector<std::string>{"seia_\\(blue_archive\\)", "halo"}));
    EXPECT_EQ(split_tags("one, two", "caption"), std::vector<std::string>{"one, two"});
    EXPECT_TRUE(split_tags(" , ").empty());
    EXPECT_EQ(join_tags({"a", " b ", "", "c"}), "a, b, c");
}

TEST(PromptParse, EntitiesCommentsAndDeclarationsAreHandled) {
    const std::string text = "<?xml version=\"1.0\"?>\n<!-- a comment -->\n<character_1>\n"
                             "  <other>black_&amp;_white, &lt;3, <![CDATA[a<b]]></other>\n</character_1>";
    const PromptDocument doc = parse_prompt(text);
    ASSERT_EQ(doc.characters.size(), 1u);
    EXPECT_EQ(doc.characters[0].line, 3);
    const PromptField* other = doc.characters[0].find("other");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->tags, (std::vector<std::string>{"black_&_white", "<3", "a<b"}));
    EXPECT_EQ(other->line, 4);
}

TEST(PromptParse, CharacterAccessors) {
    PromptCharacter c;
    c.field("appearance").tags = {"blue_hair"};
    c.field("appearance").tags.push_back("long_hair");  // same field, not a second one
    ASSERT_EQ(c.fields.size(), 1u);
    EXPECT_EQ(c.find("appearance")->tags.size(), 2u);
    EXPECT_EQ(c.find("clothing"), nullptr);
}

TEST(PromptParseErrors, EmptyPrompt) {
    for (const std::string text : {"", "   \n\t ", "\xEF\xBB\xBF"}) {
        const auto e = parse_error(text);
        EXPECT_NE(std::string(e.what()).find("prompt is empty"), std::string::npos);
        EXPECT_EQ(e.line(), 1);
        EXPECT_EQ(e.column(), 1);
    }
}

TEST(PromptParseErrors, UnclosedFieldInsideCharacter) {
    const auto e = parse_error("<character_1>\n  <n>miku</n>\n  <gender>1girl\n</character_1>");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 3);
    EXPECT_NE(std::string(e.what()).find("<gender> is never closed"), std::string::npos) << e.what();
}

TEST(PromptParseErrors, UnclosedAtEndOfText) {
    const auto e = parse_error("<general_tags>\n  <count>1girl</count>\n\n<character_1>\n  <n>a</n>\n");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 1);
    EXPECT_NE(std::string(e.what()).find("<character_1> is never closed"), std::string::npos) << e.what();
}

TEST(PromptParseErrors, MismatchedNesting) {
    // </count> closes <count> while <style> is still open, and </style> follows: crossed nesting.
    const auto e = parse_error("<general_tags>\n  <count><style>x</count></style>\n</general_tags>");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 18);
    EXPECT_NE(std::string(e.what()).find("mismatched nesting"), std::string::npos) << e.what();
}

TEST(PromptParseErrors, ClosingTagWithoutOpening) {
    const auto e = parse_error("<character_1>\n  <n>a</n>\n</character_2>");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 1);
    EXPECT_NE(std::string(e.what()).find("does not match"), std::string::npos) << e.what();

    const auto stray = parse_error("<n>a</n>\n  </gender>");
    EXPECT_EQ(stray.line(), 2);
    EXPECT_EQ(stray.column(), 3);
}

TEST(PromptParseErrors, MalformedMarkup) {
    const auto lt = parse_error("<character_1>\n  <expression>heart <3</expression>\n</character_1>");
    EXPECT_EQ(lt.line(), 2);
    EXPECT_EQ(lt.column(), 21);
    EXPECT_NE(std::string(lt.what()).find("&lt;"), std::string::npos) << lt.what();

    const auto unterminated = parse_error("<character_1>\n<gender>1girl</gender>\n<n");
    EXPECT_EQ(unterminated.line(), 3);
    EXPECT_EQ(unterminated.column(), 1);

    const auto attribute = parse_error("<character_1>\n  <appearance blue_hair>x</appearance>\n</character_1>");
    EXPECT_EQ(attribute.line(), 2);
    EXPECT_EQ(attribute.column(), 15);

    const auto comment = parse_error("<n>a</n>\n<!-- open comment");
    EXPECT_EQ(comment.line(), 2);
    EXPECT_EQ(comment.column(), 1);
}

TEST(PromptParseErrors, CharacterNestedInCharacter) {
    const auto e = parse_error("<character_1>\n  <n>a</n>\n  <character_2>\n  </character_2>\n</character_1>");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 3);
    EXPECT_NE(std::string(e.what()).find("<character_2> cannot be nested inside <character_1>"), std::string::npos)
        << e.what();

    const auto in_general = parse_error("<general_tags>\n<character_1></character_1>\n</general_tags>");
    EXPECT_EQ(in_general.line(), 2);
    EXPECT_EQ(in_general.column(), 1);
}

TEST(PromptParseErrors, FieldWithChildElements) {
    const auto e = parse_error("<character_1>\n  <appearance>blue_hair, <b>long_hair</b></appearance>\n</character_1>");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 26);
    EXPECT_NE(std::string(e.what()).find("cannot contain elements"), std::string::npos) << e.what();

    // A misspelt section name is a top-level element, which cannot hold fields either.
    const auto section = parse_error("<general_tag>\n  <count>1girl</count>\n</general_tag>");
    EXPECT_EQ(section.line(), 2);
    EXPECT_EQ(section.column(), 3);
}

TEST(PromptParseErrors, TextOutsideAFieldInACharacter) {
    const auto e = parse_error("<character_1>\n  <n>a</n>\n  1girl, smile\n</character_1>");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 3);
    EXPECT_NE(std::string(e.what()).find("text outside a field"), std::string::npos) << e.what();
}

TEST(PromptParseErrors, InvalidUtf8NamesTheByteOffset) {
    // "<character_1>\n" is 14 bytes; "  <n>初" is 5 + 3 bytes, so 0xFF is byte 22 at column 7.
    const auto e = parse_error("<character_1>\n  <n>初\xFF</n>\n</character_1>");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 7);
    EXPECT_NE(std::string(e.what()).find("byte offset 22"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0xFF"), std::string::npos) << e.what();

    // Truncated multi-byte sequence and an encoded surrogate are rejected too; plain text as well.
    EXPECT_EQ(parse_error("1girl, \xE5\x88").column(), 8);
    EXPECT_EQ(parse_error("a\xED\xA0\x80").column(), 2);
}

}  // namespace
}  // namespace studio
