// PrecisionPanel: defaults, built-in presets, user presets kept in QSettings, buttons.
#include <QComboBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>

#include <gtest/gtest.h>

#include "TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/ui/PrecisionPanel.h"

using namespace studio;
using namespace studio::ui;

TEST(PrecisionPanel, DefaultsAreAllFp32AgainstAllBf16) {
    PrecisionPanel panel;
    EXPECT_EQ(panel.config(PrecisionPanel::A), PrecisionConfig::all_fp32());
    EXPECT_EQ(panel.config(PrecisionPanel::B), PrecisionConfig::all_bf16());
    EXPECT_EQ(panel.presetName(PrecisionPanel::A), QStringLiteral("All fp32"));
    EXPECT_EQ(panel.presetName(PrecisionPanel::B), QStringLiteral("All bf16"));
    EXPECT_EQ(panel.presetCombo(PrecisionPanel::B)->currentText(), QStringLiteral("All bf16"));
    for (Module m : kAllModules) {
        EXPECT_EQ(panel.moduleCombo(PrecisionPanel::A, m)->currentText(), QStringLiteral("fp32"));
        EXPECT_EQ(panel.moduleCombo(PrecisionPanel::B, m)->currentText(), QStringLiteral("bf16"));
        EXPECT_EQ(panel.moduleCombo(PrecisionPanel::A, m)->count(), 6);  // fp32, tf32, bf16, fp16, autocast-bf16, autocast-fp16
    }
    EXPECT_EQ(panel.builtinPresetNames(), (QStringList{"All fp32", "All bf16", "Mixed"}));
}

TEST(PrecisionPanel, PresetsApplyAndManualChangesShowCustom) {
    PrecisionPanel panel;
    QSignalSpy changed(&panel, &PrecisionPanel::configChanged);
    ASSERT_TRUE(panel.applyPreset(PrecisionPanel::B, QStringLiteral("Mixed")));
    EXPECT_EQ(panel.config(PrecisionPanel::B), PrecisionConfig::mixed());
    EXPECT_EQ(panel.presetCombo(PrecisionPanel::B)->currentText(), QStringLiteral("Mixed"));
    EXPECT_EQ(panel.moduleCombo(PrecisionPanel::B, Module::Text)->currentText(), QStringLiteral("fp32"));
    EXPECT_EQ(panel.moduleCombo(PrecisionPanel::B, Module::Dit)->currentText(), QStringLiteral("bf16"));
    EXPECT_GE(changed.count(), 1);
    EXPECT_FALSE(panel.applyPreset(PrecisionPanel::B, QStringLiteral("no such preset")));

    QComboBox* vae = panel.moduleCombo(PrecisionPanel::B, Module::Vae);
    vae->setCurrentIndex(vae->findData(static_cast<int>(Precision::FP16)));
    EXPECT_EQ(panel.config(PrecisionPanel::B).get(Module::Vae), Precision::FP16);
    EXPECT_EQ(panel.config(PrecisionPanel::B).source(Module::Vae), ValueSource::Settings);
    EXPECT_EQ(panel.presetName(PrecisionPanel::B), PrecisionPanel::kCustomPreset);
    EXPECT_EQ(panel.presetCombo(PrecisionPanel::B)->currentText(), PrecisionPanel::kCustomPreset);
    // Column A is untouched.
    EXPECT_EQ(panel.config(PrecisionPanel::A), PrecisionConfig::all_fp32());

    // Choosing a preset in the combo applies it.
    QComboBox* presets = panel.presetCombo(PrecisionPanel::B);
    presets->activated(presets->findText(QStringLiteral("All fp32")));
    EXPECT_EQ(panel.config(PrecisionPanel::B), PrecisionConfig::all_fp32());
    EXPECT_EQ(presets->findText(PrecisionPanel::kCustomPreset), -1);
}

TEST(PrecisionPanel, UserPresetsAreSavedDeletedAndRemembered) {
    const auto dir = studio::test::temp_dir("presets");
    QSettings settings(QString::fromStdString((dir / "s.ini").string()), QSettings::IniFormat);
    const PrecisionConfig ditOnly = PrecisionConfig::parse("text=fp32,clip=fp32,dit=fp16,vae=fp32");
    {
        PrecisionPanel panel(&settings);
        EXPECT_TRUE(panel.saveUserPreset(QStringLiteral("DiT fp16"), ditOnly));
        EXPECT_FALSE(panel.saveUserPreset(QStringLiteral("All fp32"), ditOnly));  // built-in names are reserved
        EXPECT_FALSE(panel.saveUserPreset(QStringLiteral("   "), ditOnly));
        EXPECT_EQ(panel.userPresetNames(), QStringList{QStringLiteral("DiT fp16")});
        EXPECT_NE(panel.presetCombo(PrecisionPanel::A)->findText(QStringLiteral("DiT fp16")), -1);
    }
    {
        PrecisionPanel panel(&settings);
        ASSERT_EQ(panel.userPresetNames(), QStringList{QStringLiteral("DiT fp16")});
        ASSERT_TRUE(panel.applyPreset(PrecisionPanel::A, QStringLiteral("DiT fp16")));
        EXPECT_EQ(panel.config(PrecisionPanel::A), ditOnly);
        EXPECT_EQ(panel.presetName(PrecisionPanel::A), QStringLiteral("DiT fp16"));
        EXPECT_TRUE(panel.deleteUserPreset(QStringLiteral("DiT fp16")));
        EXPECT_FALSE(panel.deleteUserPreset(QStringLiteral("DiT fp16")));
        EXPECT_EQ(panel.presetName(PrecisionPanel::A), PrecisionPanel::kCustomPreset);
    }
    PrecisionPanel panel(&settings);
    EXPECT_TRUE(panel.userPresetNames().isEmpty());
}

TEST(PrecisionPanel, ColumnsAreSavedAsSettings) {
    const auto dir = studio::test::temp_dir("precision-columns");
    QSettings settings(QString::fromStdString((dir / "s.ini").string()), QSettings::IniFormat);
    {
        PrecisionPanel panel;
        panel.setConfig(PrecisionPanel::B, PrecisionConfig::mixed());
        panel.saveSettings(settings);
    }
    PrecisionPanel panel;
    panel.restoreSettings(settings);
    EXPECT_EQ(panel.config(PrecisionPanel::A), PrecisionConfig::all_fp32());
    EXPECT_EQ(panel.config(PrecisionPanel::B), PrecisionConfig::mixed());
    // An unreadable value keeps the column as it was.
    settings.setValue("precision/b", "dit=fp7");
    panel.restoreSettings(settings);
    EXPECT_EQ(panel.config(PrecisionPanel::B), PrecisionConfig::mixed());
}

TEST(PrecisionPanel, ButtonsAskForRuns) {
    PrecisionPanel panel;
    QSignalSpy a(&panel, &PrecisionPanel::runARequested);
    QSignalSpy b(&panel, &PrecisionPanel::runBRequested);
    QSignalSpy cmp(&panel, &PrecisionPanel::compareRequested);
    panel.runAButton()->click();
    panel.compareButton()->click();
    panel.compareButton()->click();
    EXPECT_EQ(a.count(), 1);
    EXPECT_EQ(b.count(), 0);
    EXPECT_EQ(cmp.count(), 2);
}
