// Prompts an attacker or a broken editor would send: not UTF-8, NUL bytes, DTDs with entity
// definitions, absurd nesting and size. Each is refused with a line and column, never a crash.
#include <gtest/gtest.h>

#include "studio/Errors.h"
#include "studio/prompt/PromptDocument.h"
#include "studio/prompt/PromptLint.h"

namespace studio {
namespace {

PromptParseError refusal(const std::string& text) {
    try {
        parse_prompt(text);
    } catch (const PromptParseError& e) {
        return e;
    }
    ADD_FAILURE() << "accepted: " << text.substr(0, 80);
    return PromptParseError("none", -1, -1);
}

TEST(PromptHostile, InvalidUtf8IsRefusedAtItsPosition) {
    const auto e = refusal("<character_1>\n<n>mi\xFFku</n>\n</character_1>");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 6);
    EXPECT_NE(std::string(e.what()).find("0xFF"), std::string::npos) << e.what();
    EXPECT_THROW(check_prompt_text("plain \xC0\x80 text"), PromptParseError);  // overlong NUL
}

TEST(PromptHostile, NulBytesAreRefused) {
    const std::string text = std::string("1girl,\nblue") + '\0' + "hair";
    const auto e = refusal(text);
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 5);
    EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos) << e.what();
}

TEST(PromptHostile, DoctypeAndEntityDeclarationsAreRefused) {
    const std::string billion_laughs =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;\">\n]>\n"
        "<general_tags><other>&lol2;</other></general_tags>";
    const auto e = refusal(billion_laughs);
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 1);
    EXPECT_NE(std::string(e.what()).find("DOCTYPE"), std::string::npos) << e.what();
    const auto lower = refusal("<!entity x 'y'><general_tags><other>a</other></general_tags>");
    EXPECT_NE(std::string(lower.what()).find("ENTITY"), std::string::npos) << lower.what();
    // Plain text is held to the same rule: it reaches the text encoder as it is.
    EXPECT_THROW(check_prompt_text("see <!DOCTYPE html>"), PromptParseError);
}

TEST(PromptHostile, DeepNestingIsRefusedWithoutRecursing) {
    std::string deep;
    for (int i = 0; i < 20000; ++i) deep += "<a>";
    deep += "x";
    for (int i = 0; i < 20000; ++i) deep += "</a>";
    const auto e = refusal(deep);
    EXPECT_EQ(e.line(), 1);
    EXPECT_EQ(e.column(), 3 * kMaxPromptDepth + 1);
    EXPECT_NE(std::string(e.what()).find("nested more than"), std::string::npos) << e.what();
    // At the limit itself the scanner lets it through to the structure rules.
    std::string ok;
    for (int i = 0; i < kMaxPromptDepth; ++i) ok += "<a>";
    for (int i = 0; i < kMaxPromptDepth; ++i) ok += "</a>";
    try {
        parse_prompt(ok);
    } catch (const PromptParseError& e2) {
        EXPECT_EQ(std::string(e2.what()).find("nested more than"), std::string::npos) << e2.what();
    }
}

TEST(PromptHostile, OversizedPromptIsRefused) {
    const std::string huge(kMaxPromptBytes + 1, 'a');
    const auto e = refusal(huge);
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
    EXPECT_NO_THROW(check_prompt_text(std::string(kMaxPromptBytes, 'a')));
}

TEST(PromptHostile, CleanPromptsPassTheTextChecks) {
    EXPECT_NO_THROW(check_prompt_text("1girl, \xE5\x88\x9D\xE9\x9F\xB3\xE3\x83\x9F\xE3\x82\xAF, <n>miku</n>"));
    EXPECT_NO_THROW(check_prompt_text("<!-- a comment --><general_tags><other>x</other></general_tags>"));
    EXPECT_NO_THROW(check_prompt_text(""));
}

}  // namespace
}  // namespace studio

namespace studio {
namespace {
// Found by fuzzing: markup that leaves no element (an unknown "<!" declaration swallowing the
// only tag, or tags inside a processing instruction) round-tripped into a plain-text prompt.
TEST(PromptHostile, MarkupWithoutAnyElementIsRefused) {
    EXPECT_THROW(parse_prompt("<!DOCUYPE T [<TITY x \"yu<<styl<ime>oialg"), PromptParseError);
    EXPECT_THROW(parse_prompt("<?pi <ime>?>oialg"), PromptParseError);
    const auto e = refusal("text <!ELEMENT a ANY><general_tags><other>x</other></general_tags>");
    EXPECT_EQ(e.column(), 6);
}

// Found by fuzzing: loose text opening with a BOM after blank lines became the first line of the
// canonical form, where a re-parse strips it as the file's BOM.
TEST(PromptHostile, LooseTextOpeningWithABomRoundTrips) {
    const std::string bom = "\xEF\xBB\xBF";
    const auto doc = parse_prompt("\r\n" + bom + "\r\n<style>anime</style>\nloose words");
    const std::string canonical = serialize_prompt(doc);
    EXPECT_NE(canonical.substr(0, 3), bom) << canonical;
    EXPECT_TRUE(parse_prompt(canonical) == doc) << canonical;
}
TEST(PromptHostile, OnlyByteOrderMarksAndBlanksAreAnEmptyPrompt) {
    const std::string bom = "\xEF\xBB\xBF";
    EXPECT_THROW(parse_prompt(bom + bom + "\n"), PromptParseError);
    EXPECT_THROW(parse_prompt(bom + " \t"), PromptParseError);
    EXPECT_EQ(parse_prompt(bom + bom + "x").plain_text, "x");
}
}  // namespace
}  // namespace studio
