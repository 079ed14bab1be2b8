// Export through the real image I/O: pixels, provenance, the sheet, read-back and errors.
#include <QMessageBox>
#include <QTest>

#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/ImageIO.h"
#include "studio/Provenance.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/ErrorBanner.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/ImageExport.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetadataDialog.h"
#include "studio/ui/PromptPanel.h"

using namespace studio;
using namespace studio::ui;
using studio::test::gradientImage;
using studio::test::waitUntil;

namespace {
const std::string kChinesePrompt =
    "<character_1>\n  <n>初音ミク</n>\n  <gender>1girl</gender>\n  <appearance>银色头发, 紫色眼睛, twintails</appearance>\n"
    "</character_1>\n<general_tags>\n  <count>1girl, solo</count>\n</general_tags>";

RunReport report(const PrecisionConfig& precision) {
    RunReport r;
    r.params.prompt = kChinesePrompt;
    r.params.negative = "低质量, lowres";
    r.params.seed = 1234567890123ull;
    r.params.steps = 12;
    r.params.cfg_scale = 4.5f;
    r.params.width = 64;
    r.params.height = 48;
    r.params.precision = precision;
    r.device_name = "CPU (test)";
    r.total_seconds = 1.5;
    r.app_version = app_version();
    return r;
}

ExportInputs inputs() {
    ExportInputs in;
    in.a = gradientImage(64, 48, 0.02f);
    in.b = gradientImage(64, 48, 0.025f);
    in.reportA = report(PrecisionConfig::all_fp32());
    in.reportB = report(PrecisionConfig::mixed());
    in.labelA = QStringLiteral("A: fp32");
    in.labelB = QStringLiteral("B: mixed");
    return in;
}

std::string tempFile(const std::string& dir, const std::string& name) { return (studio::test::temp_dir(dir) / name).string(); }
}  // namespace

TEST(ImageExport, PngCarriesAChinesePromptThatReadsBackExactly) {
    const std::string path = tempFile("export-png", "a.png");
    exportImage(QString::fromStdString(path), ImageFormat::PNG8, ExportKind::A, inputs());

    const ImageMetadata meta = read_image_metadata(path);
    GenerationParams restored;
    std::string error;
    ASSERT_TRUE(params_from_provenance(meta.text, restored, &error)) << error;
    EXPECT_EQ(restored.prompt, kChinesePrompt);
    EXPECT_EQ(restored.negative, "低质量, lowres");
    EXPECT_EQ(restored.seed, 1234567890123ull);
    EXPECT_EQ(restored.steps, 12);
    EXPECT_EQ(restored.precision, PrecisionConfig::all_fp32());
    ASSERT_TRUE(meta.text.count(kParametersKey));
    EXPECT_NE(meta.text.at(kParametersKey).find("Seed: 1234567890123"), std::string::npos);

    const ImageF pixels = read_image(path);
    ASSERT_EQ(pixels.width, 64);
    ASSERT_EQ(pixels.height, 48);
    const ImageF original = inputs().a;
    double worst = 0;
    for (size_t i = 0; i < pixels.pixels.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::abs(pixels.pixels[i] - original.pixels[i])));
    EXPECT_LE(worst, 0.5 / 255 + 1e-6);  // 8-bit rounding only
}

TEST(ImageExport, SideBySideSheetHasLabelsDifferenceAndCompareRecord) {
    const ExportInputs in = inputs();
    const ImageF sheet = composeExport(ExportKind::SideBySide, in);
    EXPECT_EQ(sheet.width, 3 * 64 + 2 * 8);
    EXPECT_EQ(sheet.height, 48 + 32);  // a 32-pixel caption strip over each panel
    // The A panel below its caption is A's own float values.
    EXPECT_FLOAT_EQ(sheet.at(10, 32 + 5, 2), in.a.at(10, 5, 2));
    EXPECT_FLOAT_EQ(sheet.at(72 + 10, 32 + 5, 2), in.b.at(10, 5, 2));

    const auto text = exportText(ExportKind::SideBySide, in);
    ASSERT_TRUE(text.count(kProvenanceJsonKey));
    const auto record = nlohmann::json::parse(text.at(kProvenanceJsonKey));
    const auto& compare = record.at("extra").at("compare");
    EXPECT_EQ(compare.at("labels").at(1), "B: mixed");
    EXPECT_GT(compare.at("metrics").at("max_abs").get<double>(), 0.0);
    EXPECT_EQ(compare.at("b").at("params").at("seed").get<uint64_t>(), 1234567890123ull);

    const std::string path = tempFile("export-sheet", "sheet.tif");
    exportImage(QString::fromStdString(path), ImageFormat::TIFF16, ExportKind::SideBySide, in);
    const ImageMetadata meta = read_image_metadata(path);
    ASSERT_TRUE(meta.text.count(kProvenanceJsonKey));
    EXPECT_NE(meta.text.at(kProvenanceJsonKey).find("\"compare\""), std::string::npos);
    EXPECT_EQ(read_image(path).width, sheet.width);
}

TEST(ImageExport, DifferenceNeedsTwoImagesOfOneSize) {
    ExportInputs in = inputs();
    const ImageF diff = composeExport(ExportKind::Difference, in);
    EXPECT_EQ(diff.width, 64);
    in.b = gradientImage(32, 48, 0.0f);
    EXPECT_THROW(composeExport(ExportKind::Difference, in), ExportError);
    in.b = ImageF();
    EXPECT_THROW(composeExport(ExportKind::SideBySide, in), ExportError);
    EXPECT_THROW(composeExport(ExportKind::B, in), ExportError);
    EXPECT_NO_THROW(composeExport(ExportKind::A, in));
}

TEST(ImageExport, EveryFormatOfTheDialogWrites) {
    for (const ExportFormatChoice& f : exportFormats()) {
        const std::string path = tempFile("export-formats", "x." + f.suffix.toStdString());
        EXPECT_NO_THROW(exportImage(QString::fromStdString(path), f.format, ExportKind::B, inputs())) << f.filter.toStdString();
        EXPECT_EQ(formatForFilter(f.filter), f.format);
        GenerationParams p;
        EXPECT_TRUE(params_from_provenance(read_image_metadata(path).text, p)) << f.filter.toStdString();
        EXPECT_EQ(p.precision, PrecisionConfig::mixed());
    }
}

TEST(ImageExport, AnUnwritablePathIsAnExportError) {
    EXPECT_THROW(exportImage(QStringLiteral("/proc/precision-studio-nope/a.png"), ImageFormat::PNG8, ExportKind::A, inputs()),
                 ExportError);
    EXPECT_THROW(exportImage(QString(), ImageFormat::PNG8, ExportKind::A, inputs()), ExportError);
}

TEST(MainWindowFiles, OpeningAnExportRestoresSettingsAndAnUnwritableExportShowsAnError) {
    const auto dir = studio::test::temp_dir("window-open");
    const std::string png = (dir / "shared.png").string();
    exportImage(QString::fromStdString(png), ImageFormat::PNG8, ExportKind::B, inputs());

    WorkbenchOptions options;
    options.settingsPath = QString::fromStdString((dir / "settings.ini").string());
    options.dataDir = QString::fromStdString(dir.string());
    MainWindow w(options);
    ASSERT_TRUE(w.openImage(QString::fromStdString(png)));
    EXPECT_EQ(w.promptPanel()->prompt().toStdString(), kChinesePrompt);
    EXPECT_EQ(w.promptPanel()->negative().toStdString(), "低质量, lowres");
    EXPECT_EQ(w.controls()->seed(), 1234567890123ull);
    EXPECT_TRUE(w.controls()->seedLocked());
    EXPECT_EQ(w.precisionPanel()->config(PrecisionPanel::A), PrecisionConfig::mixed());
    ASSERT_NE(w.compareView()->imageA(), nullptr);
    EXPECT_EQ(w.compareView()->imageA()->width, 64);
    auto dialogs = w.findChildren<MetadataDialog*>();
    ASSERT_EQ(dialogs.size(), 1);
    EXPECT_TRUE(dialogs.front()->isVisible());
    EXPECT_TRUE(dialogs.front()->text().contains(QStringLiteral("初音ミク")));

    // The opened image (with its report) exports again, and an unwritable path is reported.
    const std::string again = (dir / "again.png").string();
    EXPECT_TRUE(w.exportTo(ExportKind::A, QString::fromStdString(again), ImageFormat::PNG16));
    GenerationParams p;
    EXPECT_TRUE(params_from_provenance(read_image_metadata(again).text, p));
    EXPECT_EQ(p.prompt, kChinesePrompt);

    EXPECT_FALSE(w.exportTo(ExportKind::A, QStringLiteral("/proc/precision-studio-nope/x.png"), ImageFormat::PNG8));
    QMessageBox* box = nullptr;
    ASSERT_TRUE(waitUntil([&] {
        for (QMessageBox* m : w.findChildren<QMessageBox*>())
            if (m->isVisible()) box = m;
        return box != nullptr;
    }));
    EXPECT_EQ(box->windowTitle(), QStringLiteral("Export failed"));
    EXPECT_TRUE(box->text().contains(QStringLiteral("/proc/precision-studio-nope"))) << box->text().toStdString();
    EXPECT_TRUE(w.errorBanner()->isVisibleTo(&w));
    box->close();

    // A file that is not an image is an error, not a crash.
    const auto notImage = dir / "notes.png";
    std::FILE* f = std::fopen(notImage.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("not an image", f);
    std::fclose(f);
    EXPECT_FALSE(w.openImage(QString::fromStdString(notImage.string())));
}
