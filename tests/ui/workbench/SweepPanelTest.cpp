// The Sweep view: dialog choices, a sweep on a fake runner (progress, table, sorting, plots),
// a row opening as a compare from the cache, exports, cancel; and a screenshot to look at
// (docs/screenshots/ when STUDIO_SCREENSHOT_DIR points there, a temp folder otherwise).
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "../../TestSupport.h"
#include "WorkbenchTestSupport.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/SweepDialog.h"
#include "studio/ui/SweepPanel.h"

using namespace studio;
using namespace studio::ui;

namespace {
// A sweep without a model: each configuration's image differs from the reference by an amount
// that depends on its dtype, times grow with fp32 modules. `stopAfter` rows, then it waits for
// the cancel.
SweepRunFn fakeSweep(int stopAfter = 1000) {
    return [stopAfter](const SweepRequest& req, const SweepCallbacks& cb, const CancelToken& cancel) {
        SweepResults res;
        res.settings = req.settings;
        res.configs = req.configs;
        res.device_name = "CPU (fake)";
        const ImageF ref = test::gradientImage(64, 64, 0.0f);
        int done = 0;
        const int total = static_cast<int>(req.configs.size() * req.settings.seeds.size());
        for (const auto& c : req.configs)
            for (uint64_t seed : req.settings.seeds) {
                if (done >= stopAfter)
                    while (true) {
                        cancel.throw_if_cancelled();
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    }
                const bool fp16 = c.name.find("fp16") != std::string::npos;
                RunResult run;
                run.image = test::gradientImage(64, 64, c.reference() ? 0.0f : fp16 ? 0.05f : 0.01f);
                run.report.params.precision = c.precision;
                run.report.params.seed = seed;
                SweepRow row;
                row.config = c.name;
                row.precision = c.precision.to_string();
                row.seed = seed;
                row.reference = c.reference();
                row.runs = 1;
                row.encode_s = 0.1;
                row.sample_s = c.reference() ? 2.0 : 2.6;
                row.decode_s = 0.3;
                row.image_s = row.encode_s + row.sample_s + row.decode_s;
                row.peak_memory_bytes = 500ll << 20;
                row.memory_kind = "process peak RSS";
                row.psnr = c.reference() ? INFINITY : fp16 ? 31.0 + seed : 42.0 + seed;
                row.divergence = {{1, c.reference() ? 0.0 : 1e-4, 2e-4}};
                res.rows.push_back(row);
                cb.on_run(row, run);
                cb.on_progress(SweepProgress{++done, total, 0.5 * done, 0.5 * (total - done), c.name, "seed"});
                cb.on_update(res);
            }
        res.complete = true;
        cb.on_update(res);
        return res;
    };
}

SweepRequest request() {
    SweepRequest req;
    req.configs = sweep_configurations(SweepGrid::OneAtATime, {Module::Dit, Module::Vae}, {Precision::BF16, Precision::FP16});
    req.settings.seeds = {1, 2};
    req.settings.prompts = {"p"};
    return req;
}
}  // namespace

TEST(SweepDialog, CountsConfigurationsAndRefusesEmptyChoices) {
    SweepDialog dialog(true);
    EXPECT_TRUE(dialog.validate().isEmpty());
    EXPECT_EQ(dialog.configurationCount(), 9);  // fp32 + 4 modules x {bf16, fp16}
    SweepChoice c;
    c.modules = {Module::Dit};
    c.dtypes = {Precision::FP32, Precision::BF16};
    c.seeds = {3, 4};
    c.samples = 12;
    dialog.setChoice(c);
    EXPECT_EQ(dialog.configurationCount(), 2);
    EXPECT_EQ(dialog.choice().seeds, (std::vector<uint64_t>{3, 4}));
    EXPECT_EQ(dialog.choice().samples, 12);
    c.modules.clear();
    dialog.setChoice(c);
    EXPECT_FALSE(dialog.validate().isEmpty());
    SweepDialog noProbe(false);
    noProbe.setChoice(SweepChoice{{}, {Module::Dit}, {Precision::BF16}, {1}, 1, 40});
    EXPECT_EQ(noProbe.choice().samples, 0);  // only models with an attribute probe score accuracy
}

TEST(SweepPanel, RunsFillsTheTableAndOpensARowAsACompare) {
    SweepPanel panel;
    panel.setRunner(fakeSweep());
    QSignalSpy finished(&panel, &SweepPanel::sweepFinished);
    ASSERT_TRUE(panel.start(request()));
    ASSERT_TRUE(test::waitUntil([&] { return finished.count() == 1; }, 10000));
    EXPECT_TRUE(finished.at(0).at(0).toBool());
    QTableWidget* t = panel.table();
    ASSERT_EQ(t->rowCount(), 5);
    // Sorting by PSNR puts the fp16 rows first (lowest), the reference last (identical = inf).
    t->sortItems(SweepPanel::Psnr, Qt::AscendingOrder);
    EXPECT_TRUE(t->item(0, SweepPanel::Config)->text().contains(QStringLiteral("fp16")));
    EXPECT_TRUE(t->item(4, SweepPanel::Config)->text().startsWith(QStringLiteral("fp32")));
    EXPECT_EQ(t->item(0, SweepPanel::Psnr)->text(), QStringLiteral("32.50 dB"));  // mean of 32 and 33
    EXPECT_EQ(panel.timeChart()->chart()->series().size(), 1);

    QSignalSpy compare(&panel, &SweepPanel::compareRequested);
    t->sortItems(SweepPanel::Config, Qt::AscendingOrder);
    int row = -1;
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, SweepPanel::Config)->text() == QStringLiteral("dit=fp16")) row = r;
    ASSERT_GE(row, 0);
    Q_EMIT t->cellClicked(row, 0);
    ASSERT_EQ(compare.count(), 1);
    const auto ref = compare.at(0).at(0).value<RunResult>();
    const auto run = compare.at(0).at(1).value<RunResult>();
    EXPECT_EQ(ref.report.params.precision, PrecisionConfig::all_fp32());
    EXPECT_EQ(run.report.params.precision.get(Module::Dit), Precision::FP16);
    EXPECT_EQ(ref.report.params.seed, run.report.params.seed);
    EXPECT_NE(ref.image.pixels, run.image.pixels);

    const auto dir = test::temp_dir("sweep-panel-export");
    const QString base = QString::fromStdString(dir.string());
    panel.exportCsv(base + QStringLiteral("/s.csv"));
    panel.exportMarkdown(base + QStringLiteral("/s.md"));
    panel.exportPlot(base + QStringLiteral("/s.png"));
    QFile csv(base + QStringLiteral("/s.csv"));
    ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
    EXPECT_EQ(csv.readAll().count('\n'), 11);  // header + 10 rows
    QFile md(base + QStringLiteral("/s.md"));
    ASSERT_TRUE(md.open(QIODevice::ReadOnly));
    EXPECT_TRUE(md.readAll().contains("## Time and memory per precision"));
    EXPECT_FALSE(QImage(base + QStringLiteral("/s.png")).isNull());
    EXPECT_THROW(panel.exportCsv(QStringLiteral("/nonexistent/dir/s.csv")), ExportError);
    test::remove_tree(dir);
}

TEST(SweepPanel, CancelKeepsTheFinishedRows) {
    SweepPanel panel;
    panel.setRunner(fakeSweep(3));
    QSignalSpy finished(&panel, &SweepPanel::sweepFinished);
    ASSERT_TRUE(panel.start(request()));
    EXPECT_FALSE(panel.start(request()));  // one at a time
    ASSERT_TRUE(test::waitUntil([&] { return panel.results().rows.size() == 3; }, 10000));
    EXPECT_TRUE(panel.progressText().contains(QStringLiteral("3/10"))) << panel.progressText().toStdString();
    panel.cancel();
    ASSERT_TRUE(test::waitUntil([&] { return finished.count() == 1; }, 10000));
    EXPECT_FALSE(finished.at(0).at(0).toBool());
    EXPECT_EQ(panel.results().rows.size(), 3u);
    EXPECT_TRUE(panel.progressText().contains(QStringLiteral("cancelled")));
}

TEST(Screenshots, SweepView) {
    SweepPanel panel;
    panel.setRunner(fakeSweep());
    QSignalSpy finished(&panel, &SweepPanel::sweepFinished);
    ASSERT_TRUE(panel.start(request()));
    ASSERT_TRUE(test::waitUntil([&] { return finished.count() == 1; }, 10000));
    panel.resize(1100, 700);
    panel.show();
    test::waitUntil([] { return false; }, 200);
    const QByteArray env = qgetenv("STUDIO_SCREENSHOT_DIR");
    const QString dir = env.isEmpty() ? QString::fromStdString(test::temp_dir("ui-sweep-shots").string()) : QString::fromLocal8Bit(env);
    QDir().mkpath(dir);
    EXPECT_TRUE(panel.grab().toImage().save(dir + QStringLiteral("/sweep-view.png")));
}

TEST(GenerationControls, PickingTheDemoModelAppliesItsDeclaredSettings) {
    GenerationControls controls;
    controls.stepsSpin()->setValue(28);
    controls.setImageSize({1024, 1024});
    controls.setModelDir(QString::fromStdString((test::source_dir() / "resources/models/newbie-demo").string()));
    const QString note = controls.applyModelDefaults();
    EXPECT_TRUE(note.contains(QStringLiteral("256×256, 20 steps, CFG 4"))) << note.toStdString();
    EXPECT_EQ(controls.stepsSpin()->value(), 20);
    EXPECT_EQ(controls.imageSize(), QSize(256, 256));
    EXPECT_TRUE(controls.modelHint().contains(note));
    // A folder that declares nothing keeps what is set.
    const auto plain = test::temp_dir("controls-plain-model");
    controls.setModelDir(QString::fromStdString(plain.string()));
    EXPECT_TRUE(controls.applyModelDefaults().isEmpty());
    EXPECT_EQ(controls.stepsSpin()->value(), 20);
    test::remove_tree(plain);
}
