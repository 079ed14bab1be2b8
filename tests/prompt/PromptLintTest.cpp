// Lint: every issue code with its severity and the position of the offending element.
#include "studio/Errors.h"
#include "studio/prompt/PromptLint.h"
#include "studio/prompt/PromptTemplates.h"
#include "studio/prompt/TagDatabase.h"

#include <TestSupport.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace studio {
namespace {

const TagDatabase& default_tags() {
    static const TagDatabase db =
        TagDatabase::load((test::source_dir() / "resources" / "tags" / "danbooru_tags.csv").string());
    return db;
}

std::vector<LintIssue> with_code(const std::vector<LintIssue>& issues, const std::string& code) {
    std::vector<LintIssue> out;
    std::copy_if(issues.begin(), issues.end(), std::back_inserter(out), [&](const LintIssue& i) { return i.code == code; });
    return out;
}

std::vector<LintIssue> lint_text(const std::string& text, const TagDatabase* tags = nullptr) {
    return lint_prompt(parse_prompt(text), tags);
}

TEST(PromptLint, CleanPromptHasNoIssues) {
    const auto v = validate_prompt(prompt_template("One character"), &default_tags(), 200, 512);
    EXPECT_TRUE(v.ok());
    ASSERT_TRUE(v.document.has_value());
    EXPECT_TRUE(v.issues.empty()) << v.issues.front().code << ": " << v.issues.front().message;
}

TEST(PromptLint, EveryTemplateParsesAndLintsCleanly) {
    const auto names = prompt_template_names();
    ASSERT_GE(names.size(), 4u);
    EXPECT_NE(std::find(names.begin(), names.end(), "One character"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "Two characters"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "Plain tags"), names.end());
    for (const auto& name : names) {
        const auto v = validate_prompt(prompt_template(name), &default_tags());
        ASSERT_TRUE(v.document.has_value()) << name;
        EXPECT_EQ(v.document->is_xml, name != "Plain tags") << name;
        for (const auto& issue : v.issues) ADD_FAILURE() << name << ": " << issue.code << " " << issue.message;
    }
    EXPECT_THROW(prompt_template("No such template"), StudioError);
}

TEST(PromptLint, ParseErrorBecomesAnErrorIssue) {
    const auto v = validate_prompt("<character_1>\n  <gender>1girl\n</character_1>", nullptr, 600, 512);
    EXPECT_FALSE(v.ok());
    EXPECT_FALSE(v.document.has_value());
    ASSERT_EQ(v.issues.size(), 2u);
    EXPECT_EQ(v.issues[0].severity, LintSeverity::Error);
    EXPECT_EQ(v.issues[0].code, "parse-error");
    EXPECT_EQ(v.issues[0].line, 2);
    EXPECT_EQ(v.issues[0].column, 3);
    EXPECT_EQ(v.issues[0].message.rfind("<gender> is never closed", 0), 0u) << v.issues[0].message;
    EXPECT_EQ(v.issues[1].code, "too-long");  // reported even without a document

    const auto empty = validate_prompt("  ");
    EXPECT_FALSE(empty.ok());
    EXPECT_EQ(empty.issues.at(0).message, "prompt is empty");
}

TEST(PromptLint, UnknownFieldAndElement) {
    const auto issues = lint_text("<mood>x</mood>\n<style>y</style>\n<character_1>\n  <hair>blue_hair</hair>\n"
                                  "  <gender>1girl</gender>\n</character_1>\n<general_tags>\n  <extra_tags>a</extra_tags>\n"
                                  "  <weather>rain</weather>\n</general_tags>");
    const auto fields = with_code(issues, "unknown-field");
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[0].line, 4);
    EXPECT_EQ(fields[0].column, 3);
    EXPECT_EQ(fields[0].severity, LintSeverity::Warning);
    EXPECT_NE(fields[0].message.find("<hair>"), std::string::npos);
    EXPECT_EQ(fields[1].line, 9);
    const auto elements = with_code(issues, "unknown-element");
    ASSERT_EQ(elements.size(), 1u);  // <style> at top level is a known community layout
    EXPECT_EQ(elements[0].line, 1);
}

TEST(PromptLint, EmptyFieldAndCharacter) {
    const auto issues = lint_text("<character_1>\n  <n></n>\n  <clothing> , </clothing>\n</character_1>\n<character_2/>");
    const auto empty = with_code(issues, "empty-field");
    ASSERT_EQ(empty.size(), 2u);
    EXPECT_EQ(empty[0].line, 2);
    EXPECT_EQ(empty[1].line, 3);
    const auto character = with_code(issues, "empty-character");
    ASSERT_EQ(character.size(), 1u);
    EXPECT_EQ(character[0].line, 5);
    EXPECT_EQ(character[0].column, 1);
}

TEST(PromptLint, DuplicateTagAndField) {
    const auto issues = lint_text("<character_1>\n  <appearance>blue_hair, long_hair, Blue Hair</appearance>\n"
                                  "  <appearance>smile</appearance>\n</character_1>");
    const auto tags = with_code(issues, "duplicate-tag");
    ASSERT_EQ(tags.size(), 1u);  // "Blue Hair" is the same tag once normalised
    EXPECT_EQ(tags[0].line, 2);
    EXPECT_EQ(tags[0].column, 3);
    EXPECT_NE(tags[0].message.find("Blue Hair"), std::string::npos);
    const auto fields = with_code(issues, "duplicate-field");
    ASSERT_EQ(fields.size(), 1u);
    EXPECT_EQ(fields[0].line, 3);
}

TEST(PromptLint, ExclusiveHairAndEyeColours) {
    const std::string text = "<character_1>\n  <appearance>blue_hair, long_hair</appearance>\n"
                             "  <other>red_hair, blue_eyes, green_eyes</other>\n</character_1>\n"
                             "<character_2>\n  <appearance>black_hair</appearance>\n</character_2>";
    const auto issues = with_code(lint_text(text, &default_tags()), "exclusive-conflict");
    ASSERT_EQ(issues.size(), 2u);
    EXPECT_EQ(issues[0].line, 3);
    EXPECT_EQ(issues[0].column, 3);
    EXPECT_NE(issues[0].message.find("hair_color"), std::string::npos);
    EXPECT_NE(issues[0].message.find("blue_hair"), std::string::npos);
    EXPECT_NE(issues[0].message.find("red_hair"), std::string::npos);
    EXPECT_NE(issues[1].message.find("eye_color"), std::string::npos);
    // Without a tag list the check cannot run.
    EXPECT_TRUE(with_code(lint_text(text), "exclusive-conflict").empty());
}

TEST(PromptLint, MultiColourTagsAllowTwoColours) {
    const std::string text = "<character_1>\n  <appearance>blue_hair, red_hair, two-tone_hair, blue_eyes, yellow_eyes, "
                             "heterochromia, Grey Hair</appearance>\n</character_1>";
    EXPECT_TRUE(with_code(lint_text(text, &default_tags()), "exclusive-conflict").empty());
    // An alias names the same colour: gray_hair is grey_hair, no conflict.
    EXPECT_TRUE(with_code(lint_text("<character_1><appearance>grey_hair, gray_hair</appearance></character_1>",
                                    &default_tags()),
                          "exclusive-conflict")
                    .empty());
}

TEST(PromptLint, NumberingGapAndDuplicate) {
    const auto issues = lint_text("<character_1><n>a</n></character_1>\n<character_3><n>b</n></character_3>\n"
                                  "<character_1><n>c</n></character_1>\n<character_6><n>d</n></character_6>");
    const auto gaps = with_code(issues, "numbering-gap");
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(gaps[0].line, 2);
    EXPECT_NE(gaps[0].message.find("skips character_2"), std::string::npos) << gaps[0].message;
    EXPECT_EQ(gaps[1].line, 4);
    EXPECT_NE(gaps[1].message.find("character_4 to character_5"), std::string::npos) << gaps[1].message;
    const auto dups = with_code(issues, "numbering-duplicate");
    ASSERT_EQ(dups.size(), 1u);
    EXPECT_EQ(dups[0].line, 3);
    EXPECT_EQ(dups[0].column, 1);

    const auto zero = with_code(lint_text("<character_0><n>a</n></character_0>"), "numbering-gap");
    ASSERT_EQ(zero.size(), 1u);
    EXPECT_TRUE(with_code(lint_text("<character_2><n>a</n></character_2><character_1><n>b</n></character_1>"),
                          "numbering-gap")
                    .empty());
}

TEST(PromptLint, TooLong) {
    const PromptDocument doc = parse_prompt("<character_1><n>a</n></character_1>");
    EXPECT_TRUE(with_code(lint_prompt(doc, nullptr, 512, 512), "too-long").empty());
    EXPECT_TRUE(with_code(lint_prompt(doc, nullptr, -1, 512), "too-long").empty());
    const auto issues = with_code(lint_prompt(doc, nullptr, 513, 512), "too-long");
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].severity, LintSeverity::Warning);
    EXPECT_EQ(issues[0].line, 1);
    EXPECT_NE(issues[0].message.find("513"), std::string::npos);
    // Plain-text prompts are measured too.
    EXPECT_EQ(with_code(lint_prompt(parse_prompt("1girl"), nullptr, 80, 77), "too-long").size(), 1u);
}

TEST(PromptLint, UnknownTagIsInfo) {
    const std::string text = "<character_1>\n  <n>someone_unlisted</n>\n  <appearance>blue_hair, Long Hair, "
                             "sparkly_frobnicator</appearance>\n</character_1>\n<general_tags>\n"
                             "  <artists>artist:nobody</artists>\n  <caption>free words here</caption>\n</general_tags>";
    const auto issues = with_code(lint_text(text, &default_tags()), "unknown-tag");
    ASSERT_EQ(issues.size(), 1u);  // names, artists and captions are not tags
    EXPECT_EQ(issues[0].severity, LintSeverity::Info);
    EXPECT_EQ(issues[0].line, 3);
    EXPECT_EQ(issues[0].column, 3);
    EXPECT_NE(issues[0].message.find("sparkly_frobnicator"), std::string::npos);
    EXPECT_TRUE(validate_prompt(text, &default_tags()).ok());  // info and warnings do not fail
    EXPECT_TRUE(with_code(lint_text(text, nullptr), "unknown-tag").empty());
}

TEST(PromptLint, StrayTextAndCountMismatch) {
    const auto issues = lint_text("masterpiece\n<character_1><n>a</n></character_1>\n"
                                  "<general_tags>\n  <count>2girls, 1boy</count>\n</general_tags>");
    const auto stray = with_code(issues, "stray-text");
    ASSERT_EQ(stray.size(), 1u);
    EXPECT_EQ(stray[0].line, 1);
    const auto count = with_code(issues, "count-mismatch");
    ASSERT_EQ(count.size(), 1u);
    EXPECT_EQ(count[0].severity, LintSeverity::Info);
    EXPECT_EQ(count[0].line, 4);
    EXPECT_NE(count[0].message.find("3 people"), std::string::npos) << count[0].message;
    EXPECT_TRUE(with_code(lint_text("<character_1><n>a</n></character_1><general_tags><count>1girl, solo</count>"
                                    "</general_tags>"),
                          "count-mismatch")
                    .empty());
    EXPECT_TRUE(with_code(lint_text("<character_1><n>a</n></character_1><general_tags><count>6+girls</count>"
                                    "</general_tags>"),
                          "count-mismatch")
                    .empty());
}

TEST(PromptLint, IssuesAreSortedByPosition) {
    const auto issues = lint_text("<character_3>\n  <zzz></zzz>\n</character_3>\n<aaa>x</aaa>");
    ASSERT_GE(issues.size(), 3u);
    for (size_t i = 1; i < issues.size(); ++i) {
        EXPECT_TRUE(issues[i - 1].line < issues[i].line ||
                    (issues[i - 1].line == issues[i].line && issues[i - 1].column <= issues[i].column));
    }
    EXPECT_STREQ(lint_severity_name(LintSeverity::Info), "info");
}

}  // namespace
}  // namespace studio
