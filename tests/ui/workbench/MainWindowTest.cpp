// MainWindow with a fake backend: compare, the XML gate, failures, cancel, shortcuts, log.
#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QSplitter>
#include "studio/ui/PixelReadout.h"
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/Logging.h"
#include "studio/prompt/PromptTemplates.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/ErrorBanner.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/GenerationWorker.h"
#include "studio/ui/HistoryStrip.h"
#include "studio/ui/ImageCanvas.h"
#include "studio/ui/JobStatusBar.h"
#include "studio/ui/LogPanel.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/ShortcutsDialog.h"
#include "studio/ui/XmlPromptEditor.h"

using namespace studio;
using namespace studio::ui;
using studio::test::FakeRunner;
using studio::test::waitUntil;

namespace {
const QString kPrompt = QStringLiteral(
    "<character_1>\n  <n>alice</n>\n  <gender>1girl</gender>\n  <appearance>silver_hair, purple_eyes</appearance>\n"
    "</character_1>\n<general_tags>\n  <count>1girl, solo</count>\n</general_tags>");

struct WindowFixture : ::testing::Test {
    WindowFixture()
        : fake(std::make_shared<FakeRunner>()),
          thread(studio::test::makeRunner(fake)),
          dir(QString::fromStdString(studio::test::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name()).string())) {
        WorkbenchOptions options;
        options.worker = thread.worker();
        options.settingsPath = dir + QStringLiteral("/settings.ini");
        options.dataDir = dir;
        window = std::make_unique<MainWindow>(options);
        window->controls()->setModelDir(dir);  // the fake backend ignores it, but one must be chosen
        window->controls()->setImageSize(QSize(256, 256));
        window->controls()->stepsSpin()->setValue(4);
        window->promptPanel()->setPrompt(kPrompt);
        window->resize(1280, 800);
        window->show();
    }
    ~WindowFixture() override { window.reset(); }

    std::shared_ptr<FakeRunner> fake;
    WorkerThread thread;
    QString dir;
    std::unique_ptr<MainWindow> window;
};
}  // namespace

TEST_F(WindowFixture, CompareRunsAThenBWithOneSeedAndShowsBoth) {
    window->controls()->setSeedLocked(false);
    const QList<int> ids = window->compare();
    ASSERT_EQ(ids.size(), 2);
    ASSERT_TRUE(waitUntil([&] { return thread.worker()->state(ids[1]) == JobState::Completed; }));
    ASSERT_TRUE(waitUntil([&] { return window->compareView()->imageB() != nullptr; }));
    ASSERT_NE(window->compareView()->imageA(), nullptr);
    EXPECT_EQ(window->compareView()->imageA()->width, 256);

    const ExportInputs shown = window->exportInputs();
    ASSERT_TRUE(shown.reportA && shown.reportB);
    EXPECT_EQ(shown.reportA->params.seed, shown.reportB->params.seed);
    EXPECT_EQ(shown.reportA->params.seed, window->controls()->seed());
    EXPECT_EQ(shown.reportA->params.precision, PrecisionConfig::all_fp32());
    EXPECT_EQ(shown.reportB->params.precision, PrecisionConfig::all_bf16());
    EXPECT_EQ(shown.reportA->params.prompt, kPrompt.toStdString());
    EXPECT_EQ(shown.reportA->params.system_prompt, SystemPromptMode::Training);
    EXPECT_EQ(window->historyStrip()->count(), 2);
    EXPECT_EQ(window->historyStrip()->markedA(), QStringLiteral("run-%1").arg(ids[0]));
    EXPECT_EQ(window->historyStrip()->markedB(), QStringLiteral("run-%1").arg(ids[1]));
    EXPECT_TRUE(window->jobStatus()->progressText().contains(QStringLiteral("B done")));
    ASSERT_TRUE(waitUntil([&] { return window->metricsPanel()->metrics(MetricsPanel::Scope::Whole).has_value(); }));
    EXPECT_GT(window->metricsPanel()->metrics(MetricsPanel::Scope::Whole)->max_abs, 0.0);
    EXPECT_EQ(window->promptPanel()->autosave()->recentPrompts().front(), kPrompt);
}

TEST_F(WindowFixture, MalformedXmlBlocksTheRunUnlessSentAsPlainText) {
    const QString broken = QStringLiteral("<character_1>\n  <n>alice</n>\n  <appearance>blue_hair</clothing>\n</character_1>");
    window->promptPanel()->setPrompt(broken);
    QString asked;
    window->setPlainTextConfirmation([&](const QString& message) {
        asked = message;
        return false;  // "Fix the prompt"
    });
    EXPECT_EQ(window->runColumn(PrecisionPanel::A), 0);
    EXPECT_TRUE(asked.contains(QStringLiteral("Line 3, column 24"))) << asked.toStdString();
    EXPECT_EQ(window->promptPanel()->editor()->textCursor().blockNumber(), 2);  // taken to the error
    EXPECT_EQ(fake->calls.load(), 0);

    window->setPlainTextConfirmation([](const QString&) { return true; });  // "Send as plain text"
    const int id = window->runColumn(PrecisionPanel::B);
    ASSERT_GT(id, 0);
    ASSERT_TRUE(waitUntil([&] { return window->exportInputs().reportB.has_value(); }));
    const GenerationParams sent = window->exportInputs().reportB->params;
    EXPECT_EQ(sent.prompt, broken.toStdString());  // verbatim
    EXPECT_EQ(sent.system_prompt, SystemPromptMode::Custom);
    EXPECT_EQ(sent.custom_system_prompt.rfind("You are an assistant", 0), 0u) << sent.custom_system_prompt;
    EXPECT_EQ(sent.custom_system_prompt.find("<Prompt Start>"), std::string::npos);
}

TEST_F(WindowFixture, ABackendErrorShowsTheCoreMessageInTheBanner) {
    window->promptPanel()->setPrompt(QStringLiteral("1girl, THROW"));
    const int id = window->runColumn(PrecisionPanel::A);
    ASSERT_GT(id, 0);
    ASSERT_TRUE(waitUntil([&] { return window->errorBanner()->isVisible(); }));
    EXPECT_TRUE(window->errorBanner()->details().contains(QStringLiteral("layers.0.attention.qkv.weight")));
    EXPECT_TRUE(window->errorBanner()->title().contains(QStringLiteral("A")));
    EXPECT_TRUE(window->jobStatus()->progressText().contains(QStringLiteral("failed")));
    EXPECT_EQ(window->compareView()->imageA(), nullptr);
}

TEST_F(WindowFixture, EscapeCancelsTheRunningJob) {
    fake->stepMs = 5;
    window->controls()->stepsSpin()->setValue(500);
    QAction* cancel = window->action(QStringLiteral("cancel"));
    ASSERT_NE(cancel, nullptr);
    EXPECT_FALSE(cancel->isEnabled());  // idle: Escape stays free for the widgets
    const int id = window->runColumn(PrecisionPanel::A);
    ASSERT_TRUE(waitUntil([&] { return window->jobStatus()->progressBar()->value() >= 2; }));
    EXPECT_TRUE(cancel->isEnabled());
    EXPECT_TRUE(window->jobStatus()->progressText().contains(QStringLiteral("step"))) << window->jobStatus()->progressText().toStdString();
    QTest::keyClick(window.get(), Qt::Key_Escape);
    ASSERT_TRUE(waitUntil([&] { return thread.worker()->state(id) == JobState::Cancelled; }, 2000));
    ASSERT_TRUE(waitUntil([&] { return window->jobStatus()->progressText().contains(QStringLiteral("cancelled")); }));
    EXPECT_TRUE(waitUntil([&] { return !cancel->isEnabled(); }));
}

TEST_F(WindowFixture, NoModelFolderIsExplainedInsteadOfRunning) {
    window->controls()->setModelDir(QString());
    EXPECT_EQ(window->runColumn(PrecisionPanel::A), 0);
    EXPECT_TRUE(window->errorBanner()->isVisibleTo(window.get()));
    EXPECT_TRUE(window->errorBanner()->title().contains(QStringLiteral("model")));
    for (QMessageBox* m : window->findChildren<QMessageBox*>()) m->close();
}

TEST_F(WindowFixture, ShortcutsDialogListsEveryShortcut) {
    ShortcutsDialog dialog(window->shortcutActions());
    QStringList keys, names;
    for (int r = 0; r < dialog.table()->rowCount(); ++r) {
        keys << dialog.table()->item(r, 0)->text();
        names << dialog.table()->item(r, 1)->text();
    }
    auto has = [&](const QKeySequence& k) {
        const QString text = k.toString(QKeySequence::NativeText);
        for (const QString& row : keys)
            if (row.split(QStringLiteral(", ")).contains(text)) return true;
        return false;
    };
    for (const QKeySequence& k : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_R),
                                  QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), QKeySequence(Qt::Key_Escape),
                                  QKeySequence(Qt::Key_1), QKeySequence(Qt::Key_F), QKeySequence(Qt::Key_Plus),
                                  QKeySequence(Qt::Key_Minus), QKeySequence(Qt::Key_Space), QKeySequence(Qt::Key_D),
                                  QKeySequence(Qt::Key_W), QKeySequence(Qt::Key_S), QKeySequence(Qt::CTRL | Qt::Key_E)})
        EXPECT_TRUE(has(k)) << k.toString().toStdString();
    EXPECT_TRUE(names.contains(QStringLiteral("Compare A and B")));
    // Every action that has a shortcut is listed, the compare view's own included.
    int withShortcut = 0;
    for (QAction* a : window->shortcutActions()) withShortcut += a->shortcuts().isEmpty() ? 0 : 1;
    EXPECT_EQ(dialog.table()->rowCount(), withShortcut);
}

TEST_F(WindowFixture, ViewShortcutsSwitchTheCompareMode) {
    window->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
    window->compareView()->canvases().front()->setFocus();
    ASSERT_TRUE(waitUntil([&] { return window->compareView()->canvases().front()->hasFocus(); }));
    QTest::keyClick(window.get(), Qt::Key_D);
    EXPECT_EQ(window->compareView()->mode(), CompareView::Mode::Difference);
    QTest::keyClick(window.get(), Qt::Key_W);
    EXPECT_EQ(window->compareView()->mode(), CompareView::Mode::Wipe);
    QTest::keyClick(window.get(), Qt::Key_Space);
    EXPECT_EQ(window->compareView()->mode(), CompareView::Mode::Flicker);
    const bool showsB = window->compareView()->flickerShowsB();
    QTest::keyClick(window.get(), Qt::Key_Space);
    EXPECT_NE(window->compareView()->flickerShowsB(), showsB);
    QTest::keyClick(window.get(), Qt::Key_S);
    EXPECT_EQ(window->compareView()->mode(), CompareView::Mode::SideBySide);
    // Typing in the prompt is never taken for a shortcut.
    window->promptPanel()->editor()->setFocus();
    window->promptPanel()->editor()->moveCursor(QTextCursor::End);
    QTest::keyClicks(window->promptPanel()->editor(), QStringLiteral("sd w"));
    EXPECT_TRUE(window->promptPanel()->prompt().endsWith(QStringLiteral("sd w")));
    EXPECT_EQ(window->compareView()->mode(), CompareView::Mode::SideBySide);
}

TEST(LogPanel, ShowsCoreLogMessagesQueuedToTheUiThread) {
    init_logging(studio::test::temp_dir("log").string(), false);
    LogPanel panel;
    std::thread([] { spdlog::warn("from a worker thread: {}", 42); }).join();
    ASSERT_TRUE(waitUntil([&] { return panel.toPlainText().contains(QStringLiteral("from a worker thread: 42")); }));
    EXPECT_TRUE(panel.toPlainText().contains(QStringLiteral("warn")));
}

TEST(MainWindowScreens, GrabsAt1280x800) {
    const QString dir = QString::fromStdString(studio::test::temp_dir("grab").string());
    WorkbenchOptions options;
    options.settingsPath = dir + QStringLiteral("/settings.ini");
    options.dataDir = dir;
    MainWindow w(options);
    w.loadExamplePrompt();
    w.resize(1280, 800);
    w.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
    const QImage shot = w.grab().toImage();
    if (const QString out = qEnvironmentVariable("STUDIO_SCREENSHOT_DIR"); !out.isEmpty())
        shot.save(out + QStringLiteral("/workbench-test.png"));  // for looking at the layout
    EXPECT_EQ(shot.size(), QSize(1280, 800) * shot.devicePixelRatio());
    // Nothing is squeezed below its minimum at this size.
    EXPECT_GE(w.promptPanel()->width(), w.promptPanel()->minimumSizeHint().width());
    EXPECT_GE(w.controls()->width(), w.controls()->minimumSizeHint().width());
    EXPECT_GT(w.compareView()->width(), 400);
}

// The bundled demo model only knows its renderer's tags: on it the example is the demo template.
TEST(MainWindowScreens, ExamplePromptFollowsTheModel) {
    const QString dir = QString::fromStdString(studio::test::temp_dir("example-prompt").string());
    ASSERT_TRUE(QDir().mkpath(dir + QStringLiteral("/demo")) && QDir().mkpath(dir + QStringLiteral("/other")));
    WorkbenchOptions options;
    options.settingsPath = dir + QStringLiteral("/settings.ini");
    options.dataDir = dir;
    options.defaultModelDir = dir + QStringLiteral("/demo");
    MainWindow w(options);
    w.controls()->setModelDir(dir + QStringLiteral("/other/../demo"));  // same folder, spelled differently
    w.loadExamplePrompt();
    EXPECT_EQ(w.promptPanel()->prompt().toStdString(), prompt_template("Demo model: two characters"));
    w.controls()->setModelDir(dir + QStringLiteral("/other"));
    w.loadExamplePrompt();
    EXPECT_EQ(w.promptPanel()->prompt().toStdString(), prompt_template("Two characters"));
}
