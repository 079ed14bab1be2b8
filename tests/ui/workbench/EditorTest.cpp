// XmlPromptEditor, its highlighter, the problems panel and PromptPanel's token count and templates.
#include <QAbstractItemView>
#include <QAction>
#include <QCompleter>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QThread>

#include <atomic>
#include <gtest/gtest.h>

#include "WorkbenchTestSupport.h"
#include "studio/prompt/TagDatabase.h"
#include "studio/ui/ProblemsPanel.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/XmlHighlighter.h"
#include "studio/ui/XmlPromptEditor.h"
#include "TestSupport.h"

using namespace studio;
using namespace studio::ui;
using studio::test::waitUntil;

namespace {
// Line 3 closes <appearance> with </clothing>: a parse error at line 3, column 24.
const QString kMalformed = QStringLiteral(
    "<character_1>\n  <n>alice</n>\n  <appearance>blue_hair</clothing>\n</character_1>\n<general_tags>\n"
    "  <count>1girl, solo</count>\n</general_tags>");
const QString kFixed = QStringLiteral(
    "<character_1>\n  <n>alice</n>\n  <appearance>blue_hair</appearance>\n</character_1>\n<general_tags>\n"
    "  <count>1girl, solo</count>\n</general_tags>");

bool isError(const QTextEdit::ExtraSelection& s) { return s.format.underlineColor() == QColor(0xe5, 0x39, 0x35); }

std::shared_ptr<const TagDatabase> smallTagList() {
    return std::make_shared<const TagDatabase>(TagDatabase::parse_csv(
        "tag,category,count,aliases\nblue_hair,hair_color,150000,\"blue hair\"\nblue_eyes,eye_color,120000,\n"
        "blush,expression,300000,\nblue_sky,background,90000,\n",
        "test"));
}
}  // namespace

TEST(XmlPromptEditor, MarksMalformedXmlAtTheReportedLineAndClearsTheMarkWhenFixed) {
    XmlPromptEditor editor;
    QSignalSpy validated(&editor, &XmlPromptEditor::validated);
    editor.setPlainText(kMalformed);
    EXPECT_TRUE(editor.validationPending());
    ASSERT_TRUE(waitUntil([&] { return validated.count() > 0; }, 2000));  // debounced, ~300 ms

    ASSERT_FALSE(editor.validation().ok());
    const auto marks = editor.diagnosticSelections();
    ASSERT_EQ(marks.size(), 1);
    EXPECT_TRUE(isError(marks[0]));
    EXPECT_EQ(marks[0].format.underlineStyle(), QTextCharFormat::WaveUnderline);
    EXPECT_EQ(marks[0].cursor.block().blockNumber(), 2);  // line 3
    EXPECT_EQ(marks[0].cursor.selectedText(), QStringLiteral("</clothing>"));
    // The mark is on screen, not only in the list.
    bool shown = false;
    for (const auto& s : editor.extraSelections()) shown = shown || (isError(s) && s.cursor.block().blockNumber() == 2);
    EXPECT_TRUE(shown);

    editor.replaceText(kFixed);
    editor.validateNow();
    EXPECT_TRUE(editor.validation().ok());
    for (const auto& s : editor.extraSelections()) EXPECT_FALSE(isError(s));
    EXPECT_TRUE(editor.diagnosticSelections().isEmpty());
}

TEST(XmlPromptEditor, ColumnsCountCodePointsNotUtf16Units) {
    XmlPromptEditor editor;
    // An emoji (two UTF-16 units) before the error shifts the UTF-16 index by one.
    editor.setPlainText(QStringLiteral("<character_1>\n  <n>\U0001F600 x</n>\n  <appearance>\U0001F600 a</clothing>\n</character_1>"));
    editor.validateNow();
    ASSERT_EQ(editor.diagnosticSelections().size(), 1);
    EXPECT_EQ(editor.diagnosticSelections()[0].cursor.selectedText(), QStringLiteral("</clothing>"));
    EXPECT_EQ(editor.positionOf(2, 7), editor.document()->findBlockByNumber(1).position() + 7);  // after "  <n>" + emoji
}

TEST(ProblemsPanel, ClickingAProblemMovesTheEditorCursorThere) {
    PromptPanel panel(QString::fromStdString(studio::test::temp_dir("problems-click").string()));
    panel.resize(500, 700);
    panel.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
    panel.setPrompt(kMalformed);
    panel.editor()->validateNow();
    ProblemsPanel* problems = panel.problems();
    ASSERT_EQ(problems->issueCount(), 1);
    EXPECT_EQ(problems->errorCount(), 1);
    EXPECT_EQ(problems->summary(), QStringLiteral("1 error"));

    QTextCursor start = panel.editor()->textCursor();
    start.setPosition(0);
    panel.editor()->setTextCursor(start);
    QTreeWidgetItem* item = problems->topLevelItem(0);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(item->text(0), QStringLiteral("3:24"));
    QTest::mouseClick(problems->viewport(), Qt::LeftButton, {}, problems->visualItemRect(item).center());
    const QTextCursor c = panel.editor()->textCursor();
    EXPECT_EQ(c.blockNumber(), 2);
    EXPECT_EQ(c.positionInBlock(), 23);
    EXPECT_EQ(panel.tabs()->currentIndex(), PromptPanel::XmlTab);

    panel.setPrompt(kFixed);
    panel.editor()->validateNow();
    EXPECT_EQ(problems->issueCount(), 0);
    EXPECT_EQ(problems->summary(), QStringLiteral("No problems"));
}

TEST(XmlPromptEditor, CompletesTagsForTheFieldUnderTheCursor) {
    XmlPromptEditor editor;
    editor.setTagDatabase(smallTagList());
    editor.resize(500, 300);
    editor.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&editor));
    editor.setPlainText(QStringLiteral("<character_1>\n  <appearance>long_hair, bl"));
    editor.moveCursor(QTextCursor::End);
    EXPECT_EQ(editor.fieldAtCursor(), QStringLiteral("appearance"));
    EXPECT_EQ(editor.prefixAtCursor(), QStringLiteral("bl"));
    const QStringList offered = editor.updateCompletions();
    ASSERT_FALSE(offered.isEmpty());
    // hair and eye colours suit <appearance>, so they rank above the more popular "blush".
    EXPECT_EQ(offered.front(), QStringLiteral("blue_hair"));
    EXPECT_TRUE(offered.contains(QStringLiteral("blush")));

    QTest::keyClicks(&editor, QStringLiteral("ue_h"));
    ASSERT_TRUE(waitUntil([&] { return editor.completer()->popup()->isVisible(); }, 1000));
    QTest::keyClick(editor.completer()->popup(), Qt::Key_Return);
    EXPECT_TRUE(editor.toPlainText().endsWith(QStringLiteral("<appearance>long_hair, blue_hair")))
        << editor.toPlainText().toStdString();
}

TEST(XmlPromptEditor, OffersFieldNamesAfterAnOpeningBracket) {
    XmlPromptEditor editor;
    editor.setPlainText(QStringLiteral("<character_1>\n  <app"));
    editor.moveCursor(QTextCursor::End);
    EXPECT_EQ(editor.fieldAtCursor(), QStringLiteral("character_1"));
    EXPECT_EQ(editor.updateCompletions(), QStringList{QStringLiteral("appearance")});
    editor.setPlainText(QStringLiteral("<character_1>\n</character_1>\n<general_tags>\n  <"));
    editor.moveCursor(QTextCursor::End);
    EXPECT_EQ(editor.fieldAtCursor(), QStringLiteral("general_tags"));
    EXPECT_TRUE(editor.updateCompletions().contains(QStringLiteral("background")));
}

TEST(XmlHighlighter, ColoursElementsValuesAndComments) {
    XmlPromptEditor editor;
    editor.setPlainText(QStringLiteral("<appearance>blue_hair, red_eyes</appearance> <!-- note\nstill comment -->"));
    const XmlHighlighter* h = editor.highlighter();
    auto formatAt = [&](int block, int pos) {
        const QTextBlock b = editor.document()->findBlockByNumber(block);
        for (const QTextLayout::FormatRange& r : b.layout()->formats())
            if (pos >= r.start && pos < r.start + r.length) return r.format;
        return QTextCharFormat();
    };
    using R = XmlHighlighter::Role;
    EXPECT_EQ(formatAt(0, 0).foreground(), h->format(R::Bracket).foreground());   // <
    EXPECT_EQ(formatAt(0, 1).foreground(), h->format(R::Element).foreground());   // appearance
    EXPECT_EQ(formatAt(0, 12).foreground(), h->format(R::Value).foreground());    // blue_hair
    EXPECT_EQ(formatAt(0, 21).foreground(), h->format(R::Separator).foreground()); // ,
    EXPECT_EQ(formatAt(0, 47).foreground(), h->format(R::Comment).foreground());  // <!--
    EXPECT_EQ(formatAt(1, 2).foreground(), h->format(R::Comment).foreground());   // next line, still inside
}

TEST(PromptPanel, TokenCountRunsOffTheUiThreadAndHidesWithoutAModel) {
    PromptPanel panel(QString::fromStdString(studio::test::temp_dir("tokens").string()));
    std::atomic<bool> offUiThread{true};
    QThread* ui = QThread::currentThread();
    panel.setTokenCounter([&](const std::string& dir, const std::string& prompt) {
        offUiThread = offUiThread && QThread::currentThread() != ui;
        if (dir == "/broken") throw std::runtime_error("no tokenizer");
        return static_cast<int>(prompt.size()) * 2;
    });
    panel.setPrompt(QStringLiteral("1girl, solo"));
    EXPECT_FALSE(panel.tokenLabel()->isVisibleTo(&panel));  // no model folder yet

    panel.setModelDir(QStringLiteral("/models/demo"));
    ASSERT_TRUE(waitUntil([&] { return panel.tokenCount() == 22; }));
    EXPECT_TRUE(panel.tokenLabel()->isVisibleTo(&panel));
    EXPECT_EQ(panel.tokenLabel()->text(), QStringLiteral("22 / 512 tokens"));
    EXPECT_TRUE(offUiThread);

    // Over the limit: the label says so and the editor's lint reports it.
    panel.setPrompt(QString(300, QLatin1Char('a')));
    ASSERT_TRUE(waitUntil([&] { return panel.tokenCount() == 600; }));
    panel.editor()->validateNow();
    bool tooLong = false;
    for (const LintIssue& i : panel.editor()->validation().issues) tooLong = tooLong || i.code == "too-long";
    EXPECT_TRUE(tooLong);

    panel.setModelDir(QStringLiteral("/broken"));
    ASSERT_TRUE(waitUntil([&] { return panel.tokenCount() == -1; }));
    EXPECT_FALSE(panel.tokenLabel()->isVisibleTo(&panel));
}

TEST(PromptPanel, TemplatesMenuReplacesThePromptUndoably) {
    PromptPanel panel(QString::fromStdString(studio::test::temp_dir("templates").string()));
    panel.setPrompt(QStringLiteral("mine"));
    QAction* one = nullptr;
    for (QAction* a : panel.templatesMenu()->actions())
        if (a->text() == QStringLiteral("One character")) one = a;
    ASSERT_NE(one, nullptr);
    one->trigger();
    EXPECT_TRUE(panel.prompt().startsWith(QStringLiteral("<character_1>")));
    panel.editor()->undo();
    EXPECT_EQ(panel.prompt(), QStringLiteral("mine"));
}
