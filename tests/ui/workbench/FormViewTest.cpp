// PromptFormView and the text <-> form synchronisation in PromptPanel.
#include <QLineEdit>
#include <QListWidget>
#include <QTabWidget>
#include <QTest>

#include <gtest/gtest.h>

#include "TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/prompt/PromptDocument.h"
#include "studio/ui/PromptFormView.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/XmlPromptEditor.h"

using namespace studio;
using namespace studio::ui;

namespace {
// Unknown things the form has no widget for: a top-level <style> and <weather>, a <mood>
// field in a character, a <vibe> field in the general tags.
const QString kWithUnknowns = QStringLiteral(
    "<style>watercolor</style>\n"
    "<character_1>\n  <n>Alice</n>\n  <gender>1girl</gender>\n  <mood>calm</mood>\n</character_1>\n"
    "<character_2>\n  <n>Bob</n>\n  <gender>1boy</gender>\n</character_2>\n"
    "<general_tags>\n  <count>1girl, 1boy</count>\n  <vibe>retro</vibe>\n</general_tags>\n"
    "<weather>rain</weather>");

std::vector<std::string> names(const PromptDocument& d) {
    std::vector<std::string> out;
    for (const auto& c : d.characters) out.push_back(c.find("n") ? c.find("n")->raw : "");
    return out;
}

struct FormFixture : ::testing::Test {
    FormFixture() : panel(QString::fromStdString(studio::test::temp_dir("form").string())) {
        panel.setPrompt(kWithUnknowns);
        panel.editor()->validateNow();
        panel.tabs()->setCurrentIndex(PromptPanel::FormTab);
        panel.resize(480, 760);
        panel.show();
    }
    PromptDocument textDocument() const { return parse_prompt(panel.prompt().toStdString()); }
    PromptPanel panel;
};
}  // namespace

TEST_F(FormFixture, ShowsTheTextAsAFormIncludingUnknownFields) {
    PromptFormView* form = panel.form();
    ASSERT_TRUE(form->isAvailable());
    EXPECT_EQ(form->characterList()->count(), 2);
    EXPECT_EQ(form->currentCharacter(), 0);
    EXPECT_EQ(form->characterFieldEdit("n")->text(), QStringLiteral("Alice"));
    ASSERT_NE(form->characterFieldEdit("mood"), nullptr);
    EXPECT_EQ(form->characterFieldEdit("mood")->text(), QStringLiteral("calm"));
    ASSERT_NE(form->generalFieldEdit("vibe"), nullptr);
    EXPECT_EQ(form->generalFieldEdit("count")->text(), QStringLiteral("1girl, 1boy"));
    EXPECT_EQ(form->keptElementNames(), (QStringList{QStringLiteral("<style>"), QStringLiteral("<weather>")}));
}

TEST_F(FormFixture, EditingAFieldRewritesTheTextAndKeepsUnknownTags) {
    PromptFormView* form = panel.form();
    QTest::keyClicks(form->characterFieldEdit("appearance"), QStringLiteral("silver_hair, purple_eyes"));
    const PromptDocument doc = textDocument();
    ASSERT_EQ(doc.characters.size(), 2u);
    const PromptField* appearance = doc.characters[0].find("appearance");
    ASSERT_NE(appearance, nullptr);
    EXPECT_EQ(appearance->tags, (std::vector<std::string>{"silver_hair", "purple_eyes"}));
    ASSERT_NE(doc.characters[0].find("mood"), nullptr);
    EXPECT_EQ(doc.characters[0].find("mood")->raw, "calm");
    ASSERT_NE(doc.general("vibe"), nullptr);
    EXPECT_EQ(doc.general("vibe")->raw, "retro");
    ASSERT_EQ(doc.extra_elements.size(), 2u);
    EXPECT_EQ(doc.extra_elements[0].name, "style");
    EXPECT_EQ(doc.extra_elements[1].name, "weather");
    // New core fields land at their canonical place: after gender, before the unknown <mood>.
    std::vector<std::string> order;
    for (const auto& f : doc.characters[0].fields) order.push_back(f.name);
    EXPECT_EQ(order, (std::vector<std::string>{"n", "gender", "appearance", "mood"}));
    // Text -> form -> text is stable: the form still equals what the text says.
    panel.editor()->validateNow();
    EXPECT_EQ(form->document(), doc);
    EXPECT_EQ(form->characterFieldEdit("appearance")->text(), QStringLiteral("silver_hair, purple_eyes"));

    // Clearing a field removes it from the text.
    form->characterFieldEdit("appearance")->selectAll();
    QTest::keyClick(form->characterFieldEdit("appearance"), Qt::Key_Backspace);
    EXPECT_EQ(textDocument().characters[0].find("appearance"), nullptr);
}

TEST_F(FormFixture, AddDuplicateReorderAndRemoveCharacters) {
    PromptFormView* form = panel.form();
    form->duplicateCharacter(0);
    EXPECT_EQ(names(textDocument()), (std::vector<std::string>{"Alice", "Alice", "Bob"}));
    EXPECT_EQ(textDocument().characters[2].index, 3);
    EXPECT_EQ(form->currentCharacter(), 1);

    form->moveCharacter(2, 0);
    EXPECT_EQ(names(textDocument()), (std::vector<std::string>{"Bob", "Alice", "Alice"}));
    EXPECT_EQ(textDocument().characters[0].element, "character_1");
    EXPECT_EQ(form->currentCharacter(), 0);

    form->removeCharacter(1);
    EXPECT_EQ(names(textDocument()), (std::vector<std::string>{"Bob", "Alice"}));

    form->addCharacter();
    form->setCharacterField(form->currentCharacter(), QStringLiteral("n"), QStringLiteral("Carol"));
    EXPECT_EQ(names(textDocument()), (std::vector<std::string>{"Bob", "Alice", "Carol"}));
    EXPECT_EQ(textDocument().characters[2].index, 3);
    EXPECT_EQ(form->characterList()->item(2)->text(), QStringLiteral("3 \u00b7 Carol"));
    // The unknown <mood> travelled with Alice.
    ASSERT_NE(textDocument().characters[1].find("mood"), nullptr);
    EXPECT_EQ(textDocument().extra_elements.size(), 2u);
}

TEST_F(FormFixture, TextEditsReachTheForm) {
    QString text = panel.prompt();
    text.replace(QStringLiteral("<n>Alice</n>"), QStringLiteral("<n>Dora</n>"));
    panel.setPrompt(text);
    panel.editor()->validateNow();
    EXPECT_EQ(panel.form()->characterFieldEdit("n")->text(), QStringLiteral("Dora"));
    EXPECT_EQ(panel.form()->characterList()->item(0)->text(), QStringLiteral("1 \u00b7 Dora"));
}

TEST_F(FormFixture, MalformedOrPlainTextDisablesTheForm) {
    panel.setPrompt(QStringLiteral("<character_1><n>x</character_1>"));
    panel.editor()->validateNow();
    EXPECT_FALSE(panel.form()->isAvailable());
    panel.setPrompt(QStringLiteral("1girl, solo, blue_hair"));
    panel.editor()->validateNow();
    EXPECT_FALSE(panel.form()->isAvailable());
    panel.setPrompt(kWithUnknowns);
    panel.editor()->validateNow();
    EXPECT_TRUE(panel.form()->isAvailable());
}

TEST(PromptFormView, AnEmptyPromptStartsAnXmlDocument) {
    PromptPanel panel(QString::fromStdString(studio::test::temp_dir("form-empty").string()));
    panel.tabs()->setCurrentIndex(PromptPanel::FormTab);
    ASSERT_TRUE(panel.form()->isAvailable());
    panel.form()->addCharacter();
    panel.form()->setCharacterField(0, QStringLiteral("gender"), QStringLiteral("1girl"));
    panel.form()->setGeneralField(QStringLiteral("count"), QStringLiteral("1girl, solo"));
    const PromptDocument doc = parse_prompt(panel.prompt().toStdString());
    ASSERT_EQ(doc.characters.size(), 1u);
    EXPECT_EQ(doc.characters[0].find("gender")->raw, "1girl");
    EXPECT_EQ(doc.general("count")->tags, (std::vector<std::string>{"1girl", "solo"}));
}
