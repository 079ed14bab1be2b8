// Prompt autosave (restart and crash), recent prompts, generation controls and window settings.
#include <QComboBox>
#include <QLineEdit>
#include <QValidator>
#include <QFile>
#include <QMenu>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>

#include <gtest/gtest.h>

#include "TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/PromptFormView.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/XmlPromptEditor.h"

using namespace studio;
using namespace studio::ui;
using studio::test::waitUntil;

namespace {
const QString kPrompt = QStringLiteral("<character_1>\n  <n>初音ミク</n>\n  <appearance>银色头发, 紫色眼睛</appearance>\n</character_1>");

QString tempPath(const std::string& name) { return QString::fromStdString(studio::test::temp_dir(name).string()); }
}  // namespace

TEST(PromptAutosave, RestoresThePromptAfterARestart) {
    const QString dir = tempPath("autosave-restart");
    {
        PromptPanel panel(dir);
        EXPECT_FALSE(panel.restoreAutosave());  // first start: nothing saved yet
        panel.setPrompt(kPrompt);
        panel.setNegative(QStringLiteral("lowres, 低质量"));
        panel.tabs()->setCurrentIndex(PromptPanel::FormTab);
    }  // closing flushes what is pending
    PromptPanel panel(dir);
    ASSERT_TRUE(panel.restoreAutosave());
    EXPECT_EQ(panel.prompt(), kPrompt);
    EXPECT_EQ(panel.negative(), QStringLiteral("lowres, 低质量"));
    EXPECT_EQ(panel.tabs()->currentIndex(), PromptPanel::FormTab);
    EXPECT_TRUE(panel.form()->isAvailable());
}

TEST(PromptAutosave, WritesWhileTypingSoACrashLosesNothing) {
    const QString dir = tempPath("autosave-crash");
    auto* panel = new PromptPanel(dir);  // never destroyed before the check: a crash skips destructors
    panel->setPrompt(kPrompt);
    EXPECT_TRUE(panel->autosave()->pending());
    ASSERT_TRUE(waitUntil([&] { return !panel->autosave()->pending(); }, 3000));
    ASSERT_TRUE(QFile::exists(panel->autosave()->filePath()));
    PromptAutosave reader(dir);
    const auto saved = reader.load();
    ASSERT_TRUE(saved.has_value());
    EXPECT_EQ(saved->prompt, kPrompt);
    delete panel;
}

TEST(PromptAutosave, AnUnreadableFileMeansNoSession) {
    const QString dir = tempPath("autosave-garbage");
    QFile f(dir + QStringLiteral("/autosave.json"));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("{not json");
    f.close();
    PromptPanel panel(dir);
    EXPECT_FALSE(panel.restoreAutosave());
    EXPECT_TRUE(panel.prompt().isEmpty());
}

TEST(PromptAutosave, RecentPromptsAreUniqueNewestFirstAndKept) {
    const QString dir = tempPath("recent");
    {
        PromptPanel panel(dir);
        for (const char* p : {"one", "two", "one", "three"}) {
            panel.setPrompt(QString::fromLatin1(p));
            panel.addToRecent();
        }
        EXPECT_EQ(panel.autosave()->recentPrompts(), (QStringList{"three", "one", "two"}));
        EXPECT_EQ(panel.recentMenu()->actions().front()->text(), QStringLiteral("three"));
        for (int i = 0; i < 20; ++i) panel.autosave()->addRecent(QStringLiteral("p%1").arg(i));
        EXPECT_EQ(panel.autosave()->recentPrompts().size(), PromptAutosave::kMaxRecent);
    }
    PromptPanel panel(dir);
    EXPECT_EQ(panel.autosave()->recentPrompts().front(), QStringLiteral("p19"));
    panel.recentMenu()->actions().front()->trigger();
    EXPECT_EQ(panel.prompt(), QStringLiteral("p19"));
}

TEST(GenerationControls, ParamsAndSettingsRoundTrip) {
    const QString dir = tempPath("controls");
    QSettings settings(dir + QStringLiteral("/s.ini"), QSettings::IniFormat);
    GenerationParams in;
    in.model_dir = dir.toStdString();
    in.seed = 18446744073709551615ull;  // the largest seed survives the text field
    in.steps = 12;
    in.cfg_scale = 4.5f;
    in.cfg_trunc = 0.25f;
    in.sampler = SamplerKind::Midpoint;
    in.width = 1216;
    in.height = 832;
    {
        GenerationControls controls;
        controls.applyParams(in);
        EXPECT_TRUE(controls.seedLocked());
        EXPECT_EQ(controls.sizeCombo()->currentText(), QStringLiteral("1216 \u00d7 832"));
        controls.saveSettings(settings);
    }
    GenerationControls controls;
    controls.restoreSettings(settings);
    GenerationParams out;
    controls.fillParams(out);
    EXPECT_EQ(out.model_dir, in.model_dir);
    EXPECT_EQ(out.seed, in.seed);
    EXPECT_EQ(out.steps, 12);
    EXPECT_FLOAT_EQ(out.cfg_scale, 4.5f);
    EXPECT_FLOAT_EQ(out.cfg_trunc, 0.25f);
    EXPECT_EQ(out.sampler, SamplerKind::Midpoint);
    EXPECT_EQ(out.width, 1216);
    EXPECT_EQ(out.height, 832);
    EXPECT_EQ(out.device, DeviceKind::CPU);
}

TEST(GenerationControls, CustomSizesAreMultiplesOf16AndSeedsFollowTheLock) {
    GenerationControls controls;
    EXPECT_EQ(GenerationControls::sizePresets().front(), QSize(1024, 1024));
    controls.setImageSize(QSize(1000, 600));
    EXPECT_EQ(controls.sizeCombo()->currentText(), QStringLiteral("Custom"));
    EXPECT_EQ(controls.imageSize(), QSize(1008, 608));

    controls.setSeed(42);
    controls.setSeedLocked(true);
    EXPECT_EQ(controls.resolveSeed(), 42u);
    EXPECT_EQ(controls.resolveSeed(), 42u);
    controls.setSeedLocked(false);
    const uint64_t a = controls.resolveSeed();
    const uint64_t b = controls.resolveSeed();
    EXPECT_NE(a, b);  // 1 in 2^32 to fail by chance
    EXPECT_EQ(controls.seed(), b);  // the seed used is shown

    controls.setCudaAvailable(false);
    EXPECT_EQ(controls.device(), DeviceKind::CPU);
    EXPECT_FALSE(controls.deviceCombo()->model()->flags(controls.deviceCombo()->model()->index(1, 0)) & Qt::ItemIsEnabled);
}

TEST(GenerationControls, ModelHintExplainsAnEmptyOrWrongFolder) {
    GenerationControls controls;
    controls.setModelDir(QString());
    EXPECT_TRUE(controls.modelHint().contains(QStringLiteral("No model chosen")));
    controls.setModelDir(tempPath("not-a-model"));
    EXPECT_FALSE(controls.modelHint().isEmpty());
    EXPECT_FALSE(controls.modelHint().contains(QStringLiteral("No model chosen")));
}

TEST(MainWindowSettings, WindowLayoutAndChoicesAreRestored) {
    const QString dir = tempPath("window-settings");
    WorkbenchOptions options;
    options.settingsPath = dir + QStringLiteral("/settings.ini");
    options.dataDir = dir;
    QList<int> sizes;
    QSize size;
    {
        MainWindow w(options);
        w.resize(1100, 700);
        w.show();
        ASSERT_TRUE(waitUntil([&] { return w.isVisible(); }));
        w.mainSplitter()->setSizes({200, 300, 220});
        sizes = w.mainSplitter()->sizes();
        size = w.size();  // the offscreen screen is small: whatever size it got must come back
        w.controls()->setModelDir(dir);
        w.controls()->stepsSpin()->setValue(9);
        w.precisionPanel()->setConfig(PrecisionPanel::B, PrecisionConfig::mixed());
        w.compareView()->setMode(CompareView::Mode::Difference);
        w.compareView()->setDifferenceGain(25.0);
        w.close();  // closing saves
    }
    MainWindow w(options);
    EXPECT_NE(size, QSize(1280, 800));  // differs from the first-start default
    EXPECT_EQ(w.size(), size);
    w.show();
    ASSERT_TRUE(waitUntil([&] { return w.isVisible(); }));
    EXPECT_EQ(w.mainSplitter()->sizes(), sizes);
    EXPECT_EQ(w.controls()->modelDir(), dir);
    EXPECT_EQ(w.controls()->stepsSpin()->value(), 9);
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::B), PrecisionConfig::mixed());
    EXPECT_EQ(w.compareView()->mode(), CompareView::Mode::Difference);
    EXPECT_DOUBLE_EQ(w.compareView()->differenceGain(), 25.0);
}

TEST(MainWindowSettings, FirstStartUsesTheDefaultsGiven) {
    const QString dir = tempPath("window-first-start");
    WorkbenchOptions options;
    options.settingsPath = dir + QStringLiteral("/settings.ini");
    options.dataDir = dir;
    options.defaultModelDir = dir;
    options.defaultPrecisionA = PrecisionConfig::parse("bfloat16", ValueSource::Environment);
    MainWindow w(options);
    EXPECT_FALSE(w.restoredSession());
    EXPECT_EQ(w.controls()->modelDir(), dir);
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::A), PrecisionConfig::all_bf16());
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::A).source(Module::Dit), ValueSource::Environment);
    EXPECT_EQ(w.size(), QSize(1280, 800));
    w.loadExamplePrompt();
    EXPECT_TRUE(w.promptPanel()->prompt().startsWith(QStringLiteral("<character_1>")));
    EXPECT_TRUE(w.promptPanel()->editor()->validation().ok());
}

// A seed past 2^64 - 1 is refused while typing; it used to pass a 20-digit pattern and become 0.
TEST(GenerationControls, SeedFieldRefusesValuesPast64Bits) {
    GenerationControls controls;
    const QValidator* validator = nullptr;
    for (auto* edit : controls.findChildren<QLineEdit*>())
        if (edit->validator() && edit->text() == QString::number(controls.seed())) validator = edit->validator();
    ASSERT_NE(validator, nullptr) << "no validated seed field";
    auto state = [&](QString s) {
        int pos = 0;
        return validator->validate(s, pos);
    };
    EXPECT_EQ(state(QStringLiteral("18446744073709551615")), QValidator::Acceptable);
    EXPECT_EQ(state(QStringLiteral("18446744073709551616")), QValidator::Invalid);
    EXPECT_EQ(state(QStringLiteral("99999999999999999999")), QValidator::Invalid);
    EXPECT_EQ(state(QStringLiteral("-1")), QValidator::Invalid);
    EXPECT_EQ(state(QStringLiteral("12a")), QValidator::Invalid);
    EXPECT_EQ(state(QStringLiteral("\u0661\u0662")), QValidator::Invalid);  // Arabic-Indic digits
    EXPECT_EQ(state(QString()), QValidator::Intermediate);
}
