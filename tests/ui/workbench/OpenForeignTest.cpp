// Opening images written by other tools: what maps is restored, the rest is left alone, and the
// window says plainly where the record came from. A second image opens as B.
#include <QLabel>
#include <QSpinBox>

#include <gtest/gtest.h>

#include "TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/ImageIO.h"
#include "studio/Provenance.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetadataDialog.h"
#include "studio/ui/PromptPanel.h"

using namespace studio;
using namespace studio::ui;

namespace {
std::string writePng(const std::filesystem::path& dir, const std::string& name, std::map<std::string, std::string> text) {
    const std::string path = (dir / name).string();
    write_image(path, test::gradientImage(64, 48, 0.02f), ImageFormat::PNG8, {std::move(text)});
    return path;
}

QString lastDialogText(MainWindow& w) {
    const auto dialogs = w.findChildren<MetadataDialog*>();
    return dialogs.isEmpty() ? QString() : dialogs.back()->findChild<QLabel*>()->text();
}
}  // namespace

TEST(MainWindowFiles, An1111ImageRestoresOnlyWhatMapsAndSaysItIsForeign) {
    const auto dir = test::temp_dir("open-a1111");
    const std::string png = writePng(dir, "a1111.png",
        {{"parameters", "1girl, blue_hair\nNegative prompt: lowres\nSteps: 31, Sampler: DPM++ 2M, Schedule type: Karras, "
                        "CFG scale: 6.5, Seed: 777, Size: 512x768, Model: animagineXL, Version: v1.10.1"}});
    WorkbenchOptions options;
    options.settingsPath = QString::fromStdString((dir / "settings.ini").string());
    options.dataDir = QString::fromStdString(dir.string());
    MainWindow w(options);
    w.precisionPanel()->setConfig(PrecisionPanel::A, PrecisionConfig::all_bf16());
    GenerationParams before;
    w.controls()->fillParams(before);

    EXPECT_TRUE(w.openImage(QString::fromStdString(png)));
    EXPECT_EQ(w.promptPanel()->prompt(), QStringLiteral("1girl, blue_hair"));
    EXPECT_EQ(w.promptPanel()->negative(), QStringLiteral("lowres"));
    EXPECT_EQ(w.controls()->seed(), 777u);
    EXPECT_EQ(w.controls()->stepsSpin()->value(), 31);
    EXPECT_EQ(w.controls()->imageSize(), QSize(512, 768));
    GenerationParams after;
    w.controls()->fillParams(after);
    EXPECT_EQ(after.sampler, before.sampler);      // DPM++ 2M has no equivalent: unchanged
    EXPECT_EQ(after.model_dir, before.model_dir);  // "animagineXL" is not a folder here
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::A), PrecisionConfig::all_bf16());  // the file holds none
    const QString status = lastDialogText(w);
    EXPECT_TRUE(status.contains(QStringLiteral("another tool (AUTOMATIC1111 WebUI v1.10.1)"))) << status.toStdString();
    ASSERT_NE(w.compareView()->imageA(), nullptr);
    test::remove_tree(dir);
}

TEST(MainWindowFiles, ASecondImageOpensAsBWithItsPrecision) {
    const auto dir = test::temp_dir("open-b");
    RunReport r;
    r.params.prompt = "first";
    r.params.precision = PrecisionConfig::mixed();
    const std::string a = writePng(dir, "a.png", provenance_text(r));
    r.params.prompt = "second";
    r.params.precision = PrecisionConfig::all_bf16();
    const std::string b = writePng(dir, "b.png", provenance_text(r));
    WorkbenchOptions options;
    options.settingsPath = QString::fromStdString((dir / "settings.ini").string());
    options.dataDir = QString::fromStdString(dir.string());
    MainWindow w(options);
    EXPECT_TRUE(w.openImage(QString::fromStdString(a)));
    EXPECT_TRUE(w.openImage(QString::fromStdString(b), PrecisionPanel::B));
    EXPECT_EQ(w.promptPanel()->prompt(), QStringLiteral("first"));  // B does not replace the prompt
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::A), PrecisionConfig::mixed());
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::B), PrecisionConfig::all_bf16());
    EXPECT_NE(w.compareView()->imageA(), nullptr);
    EXPECT_NE(w.compareView()->imageB(), nullptr);
    test::remove_tree(dir);
}
