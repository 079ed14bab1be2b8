// Canonical writing of prompts and round trips: parse(serialize(d)) == d, and the text is stable.
#include "studio/Errors.h"
#include "studio/prompt/PromptDocument.h"
#include "studio/prompt/PromptTemplates.h"

#include <gtest/gtest.h>

namespace studio {
namespace {

// Parses, writes, parses again; checks equality and that writing again gives the same text.
void expect_round_trip(const std::string& text) {
    const PromptDocument first = parse_prompt(text);
    const std::string written = serialize_prompt(first);
    const PromptDocument second = parse_prompt(written);
    EXPECT_EQ(second, first) << "written:\n" << written;
    EXPECT_EQ(serialize_prompt(second), written);
}

TEST(PromptSerialize, CanonicalLayout) {
    const std::string messy = "<general_tags><count>1girl ,solo</count></general_tags>"
                              "<character_1><n> miku </n>\n\n<appearance>\n  blue_hair,\n  long_hair\n</appearance></character_1>";
    EXPECT_EQ(serialize_prompt(parse_prompt(messy)),
              "<character_1>\n"
              "  <n>miku</n>\n"
              "  <appearance>blue_hair, long_hair</appearance>\n"
              "</character_1>\n"
              "<general_tags>\n"
              "  <count>1girl, solo</count>\n"
              "</general_tags>");
}

TEST(PromptSerialize, ExtrasComeFirstAndTheImageWrapperIsDropped) {
    const std::string text = "<style>flat_color</style>\n<image><caption>Two girls, at night.</caption>"
                             "<character_1><gender>1girl</gender></character_1></image>";
    EXPECT_EQ(serialize_prompt(parse_prompt(text)),
              "<style>flat_color</style>\n"
              "<caption>Two girls, at night.</caption>\n"
              "<character_1>\n"
              "  <gender>1girl</gender>\n"
              "</character_1>");
    expect_round_trip(text);
}

TEST(PromptSerialize, RoundTripOfficialLayout) {
    expect_round_trip(prompt_template("Two characters"));
    expect_round_trip("<character_1><n>$character_1$</n><gender>1girl</gender></character_1>\n"
                      "<character_2><n>$character_2$</n></character_2>\n<general_tags><count>2girls</count></general_tags>");
}

TEST(PromptSerialize, RoundTripKeepsUnknownTagsFieldsAndElementsInOrder) {
    const std::string text = "<mood>tense</mood>\n<character_1>\n  <hair_length>to_the_floor</hair_length>\n"
                             "  <appearance>made_up_tag_xyz, blue_hair</appearance>\n  <aura>glowing, purple</aura>\n</character_1>\n"
                             "<general_tags><weird_field>a, b</weird_field><count>1girl</count></general_tags>\n<epilogue>x</epilogue>";
    const PromptDocument doc = parse_prompt(text);
    ASSERT_EQ(doc.extra_elements.size(), 2u);
    EXPECT_EQ(doc.extra_elements[0].name, "mood");
    EXPECT_EQ(doc.extra_elements[1].name, "epilogue");
    ASSERT_EQ(doc.characters[0].fields.size(), 3u);
    EXPECT_EQ(doc.characters[0].fields[0].name, "hair_length");
    EXPECT_EQ(doc.characters[0].fields[2].name, "aura");
    EXPECT_EQ(doc.general_tags[0].name, "weird_field");
    expect_round_trip(text);
}

TEST(PromptSerialize, RoundTripChineseAndJapanese) {
    const std::string text = "<character_1>\n  <n>初音ミク</n>\n  <appearance>蓝色头发，长发, ツインテール</appearance>\n"
                             "</character_1>\n<caption>一个女孩在雨中微笑。</caption>";
    const PromptDocument doc = parse_prompt(text);
    EXPECT_EQ(doc.characters[0].find("appearance")->tags,
              (std::vector<std::string>{"蓝色头发", "长发", "ツインテール"}));
    EXPECT_EQ(doc.extra_elements[0].tags, std::vector<std::string>{"一个女孩在雨中微笑。"});
    expect_round_trip(text);
    EXPECT_NE(serialize_prompt(doc).find("<appearance>蓝色头发, 长发, ツインテール</appearance>"), std::string::npos);
}

TEST(PromptSerialize, RoundTripEscapedParentheses) {
    const std::string text = "<character_1><n>seia_\\(blue_archive\\)</n><clothing>hat_\\(object\\), "
                             "(artist:name:1.2)</clothing></character_1>";
    const PromptDocument doc = parse_prompt(text);
    EXPECT_EQ(doc.characters[0].find("n")->tags, std::vector<std::string>{"seia_\\(blue_archive\\)"});
    EXPECT_NE(serialize_prompt(doc).find("<n>seia_\\(blue_archive\\)</n>"), std::string::npos);
    expect_round_trip(text);
}

TEST(PromptSerialize, EscapesXmlSpecialCharacters) {
    PromptDocument doc;
    doc.characters.push_back(PromptCharacter{1, "character_1", {}, 0});
    doc.characters[0].field("expression").tags = {">_<", "black_&_white", "a<b"};
    const std::string text = serialize_prompt(doc);
    EXPECT_NE(text.find("<expression>&gt;_&lt;, black_&amp;_white, a&lt;b</expression>"), std::string::npos) << text;
    EXPECT_EQ(parse_prompt(text), doc);
}

TEST(PromptSerialize, ProgrammaticDocumentRoundTrips) {
    PromptDocument doc;
    PromptCharacter c;
    c.index = 2;
    c.field("gender").tags = {"1boy"};
    c.field("empty_one");
    doc.characters.push_back(c);
    doc.general_tags.push_back(PromptField{"quality", {"masterpiece", "  ", "best_quality"}, {}, 0, 0});
    doc.extra_elements.push_back(PromptField{"", {"free text before, the tags"}, {}, 0, 0});
    const std::string text = serialize_prompt(doc);
    EXPECT_EQ(text,
              "free text before, the tags\n<character_2>\n  <gender>1boy</gender>\n  <empty_one></empty_one>\n"
              "</character_2>\n<general_tags>\n  <quality>masterpiece, best_quality</quality>\n</general_tags>");
    PromptDocument back = parse_prompt(text);
    EXPECT_EQ(back.general_tags[0].tags, (std::vector<std::string>{"masterpiece", "best_quality"}));
    EXPECT_EQ(back.characters, doc.characters);
    EXPECT_EQ(back.extra_elements, doc.extra_elements);
}

TEST(PromptSerialize, StrayTextIsKeptAndStable) {
    const std::string text = "masterpiece, best_quality\n<character_1><gender>1girl</gender></character_1>\ntrailing words";
    const PromptDocument doc = parse_prompt(text);
    ASSERT_EQ(doc.extra_elements.size(), 1u);  // adjacent once written, so kept as one entry
    EXPECT_EQ(doc.extra_elements[0].name, "");
    EXPECT_EQ(doc.extra_elements[0].tags, std::vector<std::string>{"masterpiece, best_quality\ntrailing words"});
    EXPECT_EQ(doc.extra_elements[0].line, 1);
    expect_round_trip(text);
}

TEST(PromptSerialize, PlainTextComesBackVerbatim) {
    const std::string text = "1girl, solo,  blue_hair\nsmile";
    const PromptDocument doc = parse_prompt(text);
    EXPECT_EQ(serialize_prompt(doc), text);
    EXPECT_EQ(parse_prompt(serialize_prompt(doc)), doc);
}

TEST(PromptSerialize, EqualityIgnoresPositionsAndRawText) {
    PromptDocument a = parse_prompt("<character_1><n>a ,b</n></character_1>");
    PromptDocument b = parse_prompt("\n\n  <character_1>\n<n>a, b</n>\n</character_1>");
    EXPECT_EQ(a, b);
    b.characters[0].fields[0].tags.push_back("c");
    EXPECT_NE(a, b);
    PromptDocument plain = parse_prompt("a, b");
    EXPECT_NE(plain, a);
}

TEST(PromptSerialize, InvalidNamesAreRejected) {
    PromptDocument doc;
    doc.general_tags.push_back(PromptField{"has space", {"x"}, {}, 0, 0});
    EXPECT_THROW(serialize_prompt(doc), StudioError);
    doc.general_tags[0].name = "character_3";  // would read back as a character
    EXPECT_THROW(serialize_prompt(doc), StudioError);
    doc.general_tags[0].name = "fine";
    EXPECT_NO_THROW(serialize_prompt(doc));
}

}  // namespace
}  // namespace studio
