// The divergence-per-step plot of the Metrics tab: what it draws on its log scale, and a
// screenshot of the panel with it (docs/screenshots/ when STUDIO_SCREENSHOT_DIR points there).
#include <QChartView>
#include <QDir>
#include <QLineSeries>

#include <gtest/gtest.h>

#include <cmath>

#include "SyntheticImages.h"
#include "TestSupport.h"
#include "studio/ui/DivergencePlot.h"
#include "studio/ui/MetricsPanel.h"

using namespace studio;
using namespace studio::ui;

namespace {
// bf16-like growth: small at the first steps, larger as the trajectories separate.
QList<DivergencePoint> growingDivergence(int steps) {
    QList<DivergencePoint> points;
    for (int s = 1; s <= steps; ++s) points << DivergencePoint{s, 2e-4 * std::pow(1.35, s), 1e-3 * std::pow(1.25, s)};
    return points;
}
}  // namespace

TEST(DivergencePlot, DrawsBothLinesAndLeavesOutWhatALogScaleCannotShow) {
    DivergencePlot plot;
    EXPECT_EQ(plot.drawnPoints(), 0);
    EXPECT_FALSE(plot.note().isEmpty());  // says how to get a plot
    plot.setDivergence(growingDivergence(20));
    EXPECT_EQ(plot.drawnPoints(), 40);
    EXPECT_TRUE(plot.note().isEmpty());
    // A VAE-only change: the sampler trajectories are identical (0), one step non-finite.
    plot.setDivergence({{1, 0.0, 0.0}, {2, 0.0, 0.0}, {3, NAN, 0.5}});
    EXPECT_EQ(plot.drawnPoints(), 1);
    EXPECT_TRUE(plot.note().contains(QStringLiteral("identical"))) << plot.note().toStdString();
    EXPECT_TRUE(plot.note().contains(QStringLiteral("from step 3"))) << plot.note().toStdString();
    // A run that went NaN at step 2: nothing after it is drawn, and the note says where it began.
    plot.setDivergence({{1, 1e-3, 2e-3}, {2, NAN, NAN}, {3, NAN, INFINITY}});
    EXPECT_EQ(plot.drawnPoints(), 2);
    EXPECT_TRUE(plot.note().startsWith(QStringLiteral("Not finite (NaN / Inf) from step 2"))) << plot.note().toStdString();
    EXPECT_FALSE(plot.chartView()->isHidden());
    plot.setDivergence({{1, NAN, NAN}, {2, NAN, NAN}});
    EXPECT_TRUE(plot.chartView()->isHidden()) << "nothing to draw: the note alone";
    EXPECT_TRUE(plot.note().startsWith(QStringLiteral("Not finite (NaN / Inf) from step 1"))) << plot.note().toStdString();
    plot.setDivergence(growingDivergence(5));
    EXPECT_FALSE(plot.chartView()->isHidden());
    EXPECT_TRUE(plot.note().isEmpty()) << plot.note().toStdString();
    plot.setDivergence({{1, 0.0, 0.0}, {2, 0.0, 0.0}});
    EXPECT_TRUE(plot.note().contains(QStringLiteral("exactly"))) << plot.note().toStdString();
    plot.setDivergence({}, QStringLiteral("No divergence plot: sizes differ"));
    EXPECT_EQ(plot.note(), QStringLiteral("No divergence plot: sizes differ"));
}

TEST(Screenshots, MetricsPanelWithDivergence) {
    MetricsPanel panel;
    panel.setLabels(QStringLiteral("A fp32"), QStringLiteral("B bf16"));
    panel.setImages(test::scene(256, 256, 0), test::scene(256, 256, 1));
    panel.divergencePlot()->setDivergence(growingDivergence(20));
    test::showAndWait(panel, {460, 1000});
    ASSERT_TRUE(QTest::qWaitFor([&] { return !panel.isBusy(); }, 30000));
    QApplication::processEvents();
    const QByteArray env = qgetenv("STUDIO_SCREENSHOT_DIR");
    const QString dir = env.isEmpty() ? QString::fromStdString(test::temp_dir("ui-divergence-shots").string()) : QString::fromLocal8Bit(env);
    QDir().mkpath(dir);
    EXPECT_TRUE(panel.grab().toImage().save(dir + QStringLiteral("/inspect-metrics-divergence.png")));
    EXPECT_EQ(panel.divergencePlot()->drawnPoints(), 40);
}
