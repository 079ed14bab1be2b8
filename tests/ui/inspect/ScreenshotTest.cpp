// Renders the inspection widgets at 1280x800 in every compare mode and saves PNGs, to look
// at (docs/screenshots/ when STUDIO_SCREENSHOT_DIR points there, a temp folder otherwise).
#include <QDir>
#include <QHBoxLayout>
#include <QSplitter>
#include <QStyle>
#include <QStyleFactory>
#include <QVBoxLayout>

#include <gtest/gtest.h>

#include "SyntheticImages.h"
#include "TestSupport.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/HistoryStrip.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/PixelReadout.h"

using namespace studio;
using namespace studio::ui;
using Mode = CompareView::Mode;

namespace {

QString outDir()
{
    const QByteArray env = qgetenv("STUDIO_SCREENSHOT_DIR");
    const QString dir = env.isEmpty() ? QString::fromStdString(test::temp_dir("ui-inspect-shots").string())
                                      : QString::fromLocal8Bit(env);
    QDir().mkpath(dir);
    return dir;
}

const char* kReportA = R"({"params":{"seed":42,"steps":28,"width":1024,"height":1024,"cfg_scale":5},
  "modules":[{"module":"text","requested":"fp32","numerics":"fp32","weight_dtypes":{"fp32":4300000000},"load_seconds":3.1},
             {"module":"clip","requested":"fp32","numerics":"fp32","weight_dtypes":{"fp32":570000000},"load_seconds":0.6},
             {"module":"dit","requested":"fp32","numerics":"fp32","weight_dtypes":{"fp32":3500000000},"load_seconds":2.4},
             {"module":"vae","requested":"fp32","numerics":"fp32","weight_dtypes":{"fp32":84000000},"load_seconds":0.2}],
  "checks":[{"stage":"text features","total":10,"nan":0,"inf":0,"saturated":0,"min":-9,"max":12,"mean_abs":0.8}],
  "timings":[{"stage":"encode","seconds":1.9},{"stage":"sample","seconds":61.2},{"stage":"decode","seconds":4.4}],
  "total_seconds":67.5,"peak_memory_bytes":21474836480,"memory_kind":"CUDA peak allocated","device_name":"synthetic example report",
  "first_nonfinite_stage":"","black_image":false,"vae_fallback_used":false,"warnings":[]})";
const char* kReportB = R"({"params":{"seed":42,"steps":28,"width":1024,"height":1024,"cfg_scale":5},
  "modules":[{"module":"text","requested":"bf16","numerics":"bf16 native","weight_dtypes":{"bf16":4299000000,"fp32":1000000},"load_seconds":1.7},
             {"module":"clip","requested":"bf16","numerics":"fp16 native","weight_dtypes":{"fp16":570000000},"mismatch":true,
              "note":"bf16 requested, fp16 weights resident","load_seconds":0.4},
             {"module":"dit","requested":"bf16","numerics":"bf16 native","weight_dtypes":{"bf16":3500000000},"load_seconds":1.3,"from_cache":true},
             {"module":"vae","requested":"bf16","numerics":"bf16 native","weight_dtypes":{"bf16":84000000},"load_seconds":0.1}],
  "checks":[{"stage":"latent step 27","total":10,"nan":0,"inf":0,"saturated":3,"min":-3.4e38,"max":5,"mean_abs":0.8}],
  "timings":[{"stage":"encode","seconds":0.8},{"stage":"sample","seconds":24.9},{"stage":"decode","seconds":1.6}],
  "total_seconds":27.3,"peak_memory_bytes":11811160064,"memory_kind":"CUDA peak allocated","device_name":"synthetic example report",
  "first_nonfinite_stage":"","black_image":false,"vae_fallback_used":false,
  "warnings":["clip: bf16 requested but fp16 ran"]})";

// The inspection half of the studio as the window lays it out: compare view in the middle,
// readout and metrics on the right, history below.
struct InspectDemo {
    QWidget window;
    CompareView* view;
    PixelReadout* readout;
    MetricsPanel* metrics;
    HistoryStrip* history;
    ImagePtr a, b;

    InspectDemo()
    {
        view = new CompareView;
        readout = new PixelReadout;
        metrics = new MetricsPanel;
        history = new HistoryStrip;
        auto* side = new QWidget;
        auto* sideLayout = new QVBoxLayout(side);
        sideLayout->setContentsMargins(0, 0, 0, 0);
        sideLayout->addWidget(readout);
        sideLayout->addWidget(metrics, 1);
        auto* split = new QSplitter(Qt::Horizontal);
        split->addWidget(view);
        split->addWidget(side);
        split->setStretchFactor(0, 1);
        split->setSizes({900, 380});
        auto* col = new QVBoxLayout(&window);
        col->setContentsMargins(4, 4, 4, 4);
        col->addWidget(split, 1);
        col->addWidget(history);

        a = shareImage(test::scene(768, 768, 0));
        b = shareImage(test::scene(768, 768, 1));
        view->setImages(a, b);
        view->setLabels(QStringLiteral("A · fp32 · seed 42"), QStringLiteral("B · bf16 · seed 42"));
        readout->setImages(a, b);
        readout->setLabels(QStringLiteral("A fp32"), QStringLiteral("B bf16"));
        metrics->setImages(a, b);
        metrics->setLabels(QStringLiteral("A fp32"), QStringLiteral("B bf16"));
        metrics->setReports(QString::fromUtf8(kReportA), QString::fromUtf8(kReportB));
        QObject::connect(view, &CompareView::hoveredPixel, readout, &PixelReadout::setPixel);
        QObject::connect(view, &CompareView::visibleRegionChanged, metrics, &MetricsPanel::setVisibleRegion);
        QObject::connect(view, &CompareView::roiChanged, metrics, &MetricsPanel::setRoi);
        const char* labels[] = {"fp32 · seed 42", "bf16 · seed 42", "fp16 · seed 42", "mixed · seed 7"};
        for (int i = 0; i < 4; ++i) {
            const QImage thumb = toQImage(*(i % 2 ? b : a)).scaled(96, 96, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            history->addRun({QString::number(i), QString::fromUtf8(labels[i]), QStringLiteral("run %1").arg(i), thumb});
        }
        history->setMarkedA(QStringLiteral("0"));
        history->setMarkedB(QStringLiteral("1"));
        test::showAndWait(window, {1280, 800});
    }

    void settle()
    {
        QApplication::processEvents();
        (void)QTest::qWaitFor([&] { return !metrics->isBusy(); }, 30000);
        QApplication::processEvents();
    }

    QImage save(const QString& dir, const QString& name)
    {
        settle();
        const QImage shot = window.grab().toImage();
        EXPECT_TRUE(shot.save(dir + QLatin1Char('/') + name)) << name.toStdString();
        return shot;
    }
};

bool hasDetail(const QImage& img)
{
    // Far from a blank window: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
    return colours.size() > 200;
}

}  // namespace

TEST(Screenshots, EveryCompareModeAt1280x800)
{
    const QString dir = outDir();
    InspectDemo demo;
    demo.readout->setPixel(QPoint(530, 170));
    demo.metrics->setRoi(QRect(440, 100, 180, 140));
    demo.view->setRoi(QRect(440, 100, 180, 140));

    const QImage side = demo.save(dir, QStringLiteral("inspect-side-by-side.png"));
    EXPECT_EQ(side.size(), QSize(1280, 800) * demo.window.devicePixelRatioF());
    EXPECT_TRUE(hasDetail(side));

    demo.view->setMode(Mode::Wipe);
    demo.view->setWipePosition(430);
    EXPECT_TRUE(hasDetail(demo.save(dir, QStringLiteral("inspect-wipe.png"))));

    demo.view->setMode(Mode::Flicker);
    demo.view->setFlickerShowsB(true);
    EXPECT_TRUE(hasDetail(demo.save(dir, QStringLiteral("inspect-flicker.png"))));

    demo.view->setMode(Mode::Difference);
    demo.view->setDifferenceGain(20);
    EXPECT_TRUE(hasDetail(demo.save(dir, QStringLiteral("inspect-difference.png"))));

    // 3200 % on the disc edge: nearest-neighbour pixels, grid, values in each pixel.
    demo.view->setMode(Mode::SideBySide);
    demo.view->setRoi(QRect());
    // The disc's edge at 45 degrees: anti-aliased in A, a staircase in B.
    demo.view->canvases()[0]->setViewTransform({32.0, QPointF(641.0, 203.0)});
    EXPECT_TRUE(hasDetail(demo.save(dir, QStringLiteral("inspect-zoom-3200.png"))));

    demo.view->canvases()[0]->setViewTransform({8.0, QPointF(522.0, 182.0)});
    demo.view->setMode(Mode::Wipe);
    demo.view->setWipePosition(522);
    EXPECT_TRUE(hasDetail(demo.save(dir, QStringLiteral("inspect-wipe-zoom-800.png"))));
}

TEST(Screenshots, MetricsAndReportsPanel)
{
    MetricsPanel panel;
    panel.setLabels(QStringLiteral("A fp32"), QStringLiteral("B bf16"));
    panel.setImages(test::scene(256, 256, 0), test::scene(256, 256, 1));
    panel.setRoi(QRect(150, 40, 60, 60));
    panel.setReports(QString::fromUtf8(kReportA), QString::fromUtf8(kReportB));
    test::showAndWait(panel, {420, 1100});
    ASSERT_TRUE(QTest::qWaitFor([&] { return !panel.isBusy(); }, 30000));
    QApplication::processEvents();
    const QImage shot = panel.grab().toImage();
    EXPECT_TRUE(shot.save(outDir() + QStringLiteral("/inspect-metrics-panel.png")));
    EXPECT_TRUE(panel.reportHtml().contains(QStringLiteral("fp16 native")));
    EXPECT_TRUE(panel.reportHtml().contains(QStringLiteral("bf16&nbsp;&gt;99.9&nbsp;%, fp32&nbsp;&lt;0.1&nbsp;%")));
}

TEST(Screenshots, DarkPalette)
{
    const QString dir = outDir();
    const QPalette old = QApplication::palette();
    QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(45, 45, 48));
    dark.setColor(QPalette::WindowText, QColor(220, 220, 220));
    dark.setColor(QPalette::Base, QColor(30, 30, 32));
    dark.setColor(QPalette::AlternateBase, QColor(50, 50, 54));
    dark.setColor(QPalette::Text, QColor(220, 220, 220));
    dark.setColor(QPalette::Button, QColor(55, 55, 58));
    dark.setColor(QPalette::ButtonText, QColor(220, 220, 220));
    dark.setColor(QPalette::Highlight, QColor(42, 130, 218));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::PlaceholderText, QColor(140, 140, 140));
    dark.setColor(QPalette::Mid, QColor(80, 80, 84));
    QApplication::setPalette(dark);
    {
        InspectDemo demo;
        demo.window.setStyle(fusion);
        for (QWidget* w : demo.window.findChildren<QWidget*>()) w->setStyle(fusion);
        demo.view->setMode(Mode::Difference);
        demo.view->setDifferenceGain(20);
        demo.readout->setPixel(QPoint(530, 170));
        const QImage shot = demo.save(dir, QStringLiteral("inspect-difference-dark.png"));
        EXPECT_TRUE(hasDetail(shot));
        EXPECT_TRUE(demo.metrics->reportHtml().contains(QStringLiteral("#ff6b6b")));  // dark-palette red
    }
    QApplication::setPalette(old);
    delete fusion;
}
