// PixelReadout, MetricsPanel (numbers and reports) and HistoryStrip.
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>

#include <gtest/gtest.h>

#include <cmath>

#include "SyntheticImages.h"
#include "studio/ui/HistoryStrip.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/PixelReadout.h"
#include "studio/ui/ReportHtml.h"

using namespace studio;
using namespace studio::ui;
using Scope = MetricsPanel::Scope;

TEST(PixelReadout, ShowsFloatByteAndDifferenceForKnownPixel)
{
    ImageF a(8, 6, 3, 0.0f), b(8, 6, 3, 0.0f);
    a.at(3, 2, 0) = 0.1234f; a.at(3, 2, 1) = 0.5f; a.at(3, 2, 2) = 1.0f;
    b.at(3, 2, 0) = 0.1f;    b.at(3, 2, 1) = 0.5f; b.at(3, 2, 2) = 0.9f;
    PixelReadout r;
    r.setImages(shareImage(a), shareImage(b));
    r.setPixel(QPoint(3, 2));
    EXPECT_EQ(r.positionText(), QStringLiteral("x 3   y 2"));
    EXPECT_EQ(r.floatText(PixelReadout::RowA), QStringLiteral("0.1234  0.5000  1.0000"));
    EXPECT_EQ(r.floatText(PixelReadout::RowB), QStringLiteral("0.1000  0.5000  0.9000"));
    EXPECT_EQ(r.byteText(PixelReadout::RowA), QStringLiteral(" 31 128 255"));
    EXPECT_EQ(r.byteText(PixelReadout::RowB), QStringLiteral(" 26 128 230"));
    EXPECT_EQ(r.floatText(PixelReadout::RowDiff), QStringLiteral("+0.0234  +0.0000  +0.1000"));
    EXPECT_EQ(r.byteText(PixelReadout::RowDiff), QStringLiteral(" +5   0 +25"));
    EXPECT_NEAR(r.valueA().v[0], 0.1234f, 0);

    r.setPixel(QPoint(-1, -1));
    EXPECT_EQ(r.floatText(PixelReadout::RowA), QStringLiteral("—"));
    a.at(0, 0, 1) = std::nanf("");
    r.setImages(shareImage(a), nullptr);
    r.setPixel(QPoint(0, 0));
    EXPECT_TRUE(r.floatText(PixelReadout::RowA).contains(QStringLiteral("NaN")));
    EXPECT_EQ(r.floatText(PixelReadout::RowB), QStringLiteral("—"));
    EXPECT_EQ(r.floatText(PixelReadout::RowDiff), QStringLiteral("—"));
}

namespace {

// A = 0.2 everywhere; B = A + 0.01 on every channel, except one channel of one pixel at +0.5.
struct KnownPair {
    static constexpr int W = 64, H = 64;
    ImageF a{W, H, 3, 0.2f};
    ImageF b{W, H, 3, 0.21f};
    KnownPair() { b.at(10, 20, 1) = 0.7f; }
    static double n() { return 3.0 * W * H; }
    static double mse() { return ((n() - 1) * 0.01 * 0.01 + 0.25) / n(); }
};

bool waitIdle(MetricsPanel& p) { return QTest::qWaitFor([&] { return !p.isBusy(); }, 20000); }

}  // namespace

TEST(MetricsPanel, NumbersForKnownImagesInAllScopes)
{
    for (const qint64 asyncPixels : {qint64(1) << 40, qint64(0)}) {  // inline, then on the thread pool
        KnownPair k;
        MetricsPanel panel;
        panel.setAsyncPixelThreshold(asyncPixels);
        panel.setImages(k.a, k.b);
        panel.setVisibleRegion(QRect(0, 0, 8, 8));
        panel.setRoi(QRect(8, 16, 8, 8));
        ASSERT_TRUE(waitIdle(panel));

        const auto whole = panel.metrics(Scope::Whole);
        ASSERT_TRUE(whole.has_value());
        EXPECT_NEAR(whole->max_abs, 0.5, 1e-6);
        EXPECT_EQ(whole->max_x, 10);
        EXPECT_EQ(whole->max_y, 20);
        EXPECT_NEAR(whole->mean_abs, ((k.n() - 1) * 0.01 + 0.5) / k.n(), 1e-6);
        EXPECT_NEAR(whole->rmse, std::sqrt(k.mse()), 1e-6);
        EXPECT_NEAR(whole->psnr, 10 * std::log10(1.0 / k.mse()), 1e-3);
        EXPECT_DOUBLE_EQ(whole->fraction_over, 1.0);  // 0.01 > 1/255 everywhere
        EXPECT_EQ(whole->pixels, 64 * 64);

        const auto visible = panel.metrics(Scope::Visible);
        ASSERT_TRUE(visible.has_value());
        EXPECT_EQ(visible->pixels, 64);
        EXPECT_NEAR(visible->max_abs, 0.01, 1e-6);
        const auto roi = panel.metrics(Scope::Roi);
        ASSERT_TRUE(roi.has_value());
        EXPECT_EQ(roi->pixels, 64);
        EXPECT_NEAR(roi->max_abs, 0.5, 1e-6);
        EXPECT_EQ(roi->max_x, 10);

        // Table text.
        EXPECT_EQ(panel.table()->item(2, 0)->text(), QStringLiteral("0.50000"));
        EXPECT_EQ(panel.table()->item(3, 2)->text(), QStringLiteral("(10, 20)"));
        EXPECT_EQ(panel.table()->item(7, 1)->text(), QStringLiteral("64"));

        // An edited threshold recomputes: only the one big difference is over 0.02.
        panel.setThreshold(0.02);
        ASSERT_TRUE(waitIdle(panel));
        EXPECT_NEAR(panel.metrics(Scope::Whole)->fraction_over, 1.0 / (64 * 64), 1e-12);
        EXPECT_EQ(panel.table()->item(6, 0)->text(), QStringLiteral("0.02 %"));

        // A visible region equal to the image reuses the whole-image numbers.
        panel.setVisibleRegion(QRect(-5, -5, 100, 100));
        ASSERT_TRUE(waitIdle(panel));
        EXPECT_EQ(panel.metrics(Scope::Visible)->pixels, 64 * 64);
        EXPECT_NEAR(panel.metrics(Scope::Visible)->max_abs, 0.5, 1e-6);

        // Cleared ROI, missing image, mismatched sizes: no numbers, no crash.
        panel.setRoi(QRect());
        ASSERT_TRUE(waitIdle(panel));
        EXPECT_FALSE(panel.metrics(Scope::Roi).has_value());
        panel.setImages(shareImage(k.a), nullptr);
        ASSERT_TRUE(waitIdle(panel));
        EXPECT_FALSE(panel.metrics(Scope::Whole).has_value());
        panel.setImages(k.a, ImageF(8, 8, 3));
        ASSERT_TRUE(waitIdle(panel));
        EXPECT_FALSE(panel.metrics(Scope::Whole).has_value());
        EXPECT_FALSE(panel.errorText().isEmpty());
    }
}

TEST(MetricsPanel, SupersededBackgroundResultsAreDropped)
{
    MetricsPanel panel;
    panel.setAsyncPixelThreshold(0);
    const ImageF big = test::scene(512, 512, 0);
    panel.setImages(big, test::scene(512, 512, 1));
    QApplication::processEvents();  // first job starts
    KnownPair k;
    panel.setImages(k.a, k.b);  // supersedes it
    ASSERT_TRUE(waitIdle(panel));
    EXPECT_EQ(panel.metrics(Scope::Whole)->pixels, 64 * 64);
}

TEST(MetricsPanel, RendersReportsWithWarnings)
{
    const QString a = QStringLiteral(R"({"params":{"seed":42,"steps":28,"width":1024},
        "modules":[{"module":"text","requested":"bf16","numerics":"bf16 emulated","weight_dtypes":{"bf16":990,"fp32":10},
                    "activation_dtypes":{"bf16":4},"mismatch":false,"note":"","load_seconds":0.1,"from_cache":false},
                   {"module":"vae","requested":"fp32","numerics":"fp32","weight_dtypes":{"fp32":100},"mismatch":false}],
        "checks":[{"stage":"latent step 3","total":100,"nan":0,"inf":0,"saturated":0,"min":-2,"max":2,"mean_abs":0.5}],
        "timings":[{"stage":"encode","seconds":0.25},{"stage":"sample","seconds":12.5}],
        "total_seconds":13.0,"peak_memory_bytes":1610612736,"memory_kind":"process peak RSS",
        "first_nonfinite_stage":"","black_image":false,"vae_fallback_used":false,"warnings":[],"device_name":"CPU"})");
    const QString b = QStringLiteral(R"({"params":{"seed":42,"steps":20,"width":1024},
        "modules":[{"module":"text","requested":"bf16","numerics":"fp16 native","weight_dtypes":{"fp16":1000},
                    "mismatch":true,"note":"ran in fp16","load_seconds":0.2,"from_cache":true}],
        "checks":[{"stage":"decoded image","total":100,"nan":7,"inf":1,"saturated":0,"min":0,"max":1,"mean_abs":0.5}],
        "timings":[{"stage":"encode","seconds":0.3}],"total_seconds":2.0,"peak_memory_bytes":2048,
        "first_nonfinite_stage":"decoded image","black_image":true,"vae_fallback_used":true,
        "warnings":["text: bf16 requested, fp16 ran"],"device_name":"CPU"})");
    MetricsPanel panel;
    panel.setLabels(QStringLiteral("fp32"), QStringLiteral("bf16"));
    panel.setReports(a, b);
    const QString html = panel.reportHtml();
    EXPECT_TRUE(html.contains(QStringLiteral("bf16 emulated")));
    EXPECT_TRUE(html.contains(QStringLiteral("bf16&nbsp;99.0&nbsp;%, fp32&nbsp;1.0&nbsp;%")));
    EXPECT_TRUE(html.contains(QStringLiteral("1.50 GiB")));
    EXPECT_TRUE(html.contains(QStringLiteral("process peak RSS")));
    EXPECT_TRUE(html.contains(QStringLiteral("12.5 s")));
    EXPECT_TRUE(html.contains(QStringLiteral("NaN 7, Inf 1")));
    EXPECT_TRUE(html.contains(QStringLiteral("black image")));
    EXPECT_TRUE(html.contains(QStringLiteral("text: bf16 requested, fp16 ran")));
    EXPECT_TRUE(html.contains(QStringLiteral("<b>28</b>")));  // differing parameter in bold
    // Mismatch, NaN and warnings in red.
    const QString red = QStringLiteral("color:#c62828");
    EXPECT_GE(html.count(red), 5);
    EXPECT_TRUE(html.contains(red + QStringLiteral("'>bf16 → <b>fp16 native</b> ⚠")));

    panel.setReports(QStringLiteral("{ not json"), QString());
    EXPECT_TRUE(panel.reportHtml().contains(QStringLiteral("not valid JSON")));
    panel.setReports(QString(), QString());
    EXPECT_TRUE(panel.reportHtml().contains(QStringLiteral("No run reports")));
    EXPECT_EQ(formatBytes(512), QStringLiteral("512 B"));
    EXPECT_EQ(formatBytes(3.5 * 1024 * 1024), QStringLiteral("3.50 MiB"));
}

TEST(HistoryStrip, ThumbnailsAndShowAsSignals)
{
    HistoryStrip strip;
    for (int i = 0; i < 3; ++i) {
        QImage thumb(256, 160, QImage::Format_RGB32);
        thumb.fill(QColor::fromHsv(i * 100, 200, 200));
        strip.addRun({QStringLiteral("run-%1").arg(i), QStringLiteral("bf16 · seed %1").arg(40 + i),
                      QStringLiteral("seed %1, 28 steps").arg(40 + i), thumb});
    }
    test::showAndWait(strip, {900, 160});
    EXPECT_EQ(strip.count(), 3);
    EXPECT_EQ(strip.runIds(), (QStringList{"run-0", "run-1", "run-2"}));
    strip.addRun({QStringLiteral("run-1"), QStringLiteral("fp32 · seed 41"), {}, {}});  // replaces
    EXPECT_EQ(strip.count(), 3);

    auto* showA = strip.findChild<QPushButton*>(QStringLiteral("showAsA"));
    auto* showB = strip.findChild<QPushButton*>(QStringLiteral("showAsB"));
    ASSERT_TRUE(showA && showB);
    EXPECT_FALSE(showA->isEnabled());
    QSignalSpy spyA(&strip, &HistoryStrip::showAsARequested);
    QSignalSpy spyB(&strip, &HistoryStrip::showAsBRequested);
    strip.selectRun(QStringLiteral("run-2"));
    EXPECT_EQ(strip.selectedRun(), QStringLiteral("run-2"));
    QTest::mouseClick(showA, Qt::LeftButton);
    strip.selectRun(QStringLiteral("run-0"));
    QTest::mouseClick(showB, Qt::LeftButton);
    ASSERT_EQ(spyA.count(), 1);
    ASSERT_EQ(spyB.count(), 1);
    EXPECT_EQ(spyA.first().first().toString(), QStringLiteral("run-2"));
    EXPECT_EQ(spyB.first().first().toString(), QStringLiteral("run-0"));

    strip.setMarkedA(QStringLiteral("run-2"));
    strip.setMarkedB(QStringLiteral("run-0"));
    EXPECT_EQ(strip.markedA(), QStringLiteral("run-2"));
    EXPECT_TRUE(strip.removeRun(QStringLiteral("run-2")));
    EXPECT_TRUE(strip.markedA().isEmpty());
    EXPECT_FALSE(strip.removeRun(QStringLiteral("nope")));
    EXPECT_EQ(strip.count(), 2);
}
