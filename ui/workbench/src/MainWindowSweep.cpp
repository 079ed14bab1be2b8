// MainWindow: the Sweep tab (precision sweeps on their own thread) and opening a sweep row as
// an A / B compare from the cached runs.
#include <QDateTime>
#include <QTabWidget>

#include "studio/ModelDefaults.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/HistoryStrip.h"
#include "studio/ui/LogPanel.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/MainWindow.h"

namespace studio::ui {

bool MainWindow::runSweep(const SweepChoice& choice) {
    if (!m_options.sweepRunner) {
        showError(tr("Cannot sweep"), tr("This build has no generation backend."));
        return false;
    }
    if (m_sweep->isRunning()) {
        showError(tr("Sweep running"), tr("A sweep is running already; cancel it first."));
        return false;
    }
    auto params = prepareParams(PrecisionPanel::A);
    if (!params) return false;
    SweepRequest req;
    req.base = *params;
    req.base.preview = false;
    try {
        req.configs = sweep_configurations(choice.grid, choice.modules, choice.dtypes);
    } catch (const StudioError& e) {
        showError(tr("Cannot sweep"), QString::fromStdString(e.what()));
        return false;
    }
    SweepSettings& s = req.settings;
    s.model = params->model_dir;
    s.width = params->width;
    s.height = params->height;
    s.steps = params->steps;
    s.cfg = params->cfg_scale;
    s.sampler = to_string(params->sampler);
    s.device = to_string(params->device);
    s.numerics = to_string(params->numerics);
    s.settings_source = "studio settings";
    s.grid = choice.grid;
    s.prompts = {params->prompt};
    s.seeds = choice.seeds;
    s.runs = choice.runs;
    s.samples = choice.samples;
    if (!m_sweep->start(req)) return false;
    m_sideTabs->setCurrentWidget(m_sweep);
    m_log->appendMessage(static_cast<int>(LogLevel::Info),
                         tr("Sweep started: %1 configurations, %2 seed(s)").arg(req.configs.size()).arg(s.seeds.size()));
    return true;
}

void MainWindow::sweepWithDialog() {
    bool probe = false;
    try {
        probe = read_declared_defaults(m_controls->modelDir().toStdString()).attribute_probe;
    } catch (const StudioError&) {
        // A malformed model_index.json surfaces when the sweep's first run loads the model.
    }
    SweepDialog dialog(probe, this);
    if (dialog.exec() == QDialog::Accepted) runSweep(dialog.choice());
}

QString MainWindow::addRunRecord(const QString& id, const QString& tag, const RunResult& result) {
    RunRecord rec;
    rec.id = id;
    rec.image = shareImage(result.image);
    rec.report = result.report;
    rec.hasReport = true;
    rec.trajectory = result.trajectory;
    const QString precision = precisionLabel(result.report.params.precision);
    rec.label = QStringLiteral("%1 \u00b7 seed %2").arg(precision).arg(result.report.params.seed);
    if (!m_runs.count(id)) {
        m_runOrder << id;
        m_history->addRun({id, QStringLiteral("%1 \u00b7 %2").arg(tag, precision),
                           QStringLiteral("%1\n%2").arg(QDateTime::currentDateTime().toString(Qt::ISODate),
                                                        QString::fromStdString(result.report.params.to_string())),
                           toQImage(result.image)});
    }
    m_runs[id] = rec;
    return id;
}

void MainWindow::showSweepPair(const RunResult& reference, const RunResult& run) {
    const QString seed = QString::number(reference.report.params.seed);
    const QString idA = addRunRecord(QStringLiteral("sweep-fp32-%1").arg(seed), QStringLiteral("sweep"), reference);
    const QString idB = addRunRecord(QStringLiteral("sweep-%1-%2").arg(QString::fromStdString(run.report.params.precision.to_string()), seed),
                                     QStringLiteral("sweep"), run);
    showRun(idA, PrecisionPanel::A);
    showRun(idB, PrecisionPanel::B);
    forgetOldRuns();
    m_sideTabs->setCurrentWidget(m_metrics);
}

}  // namespace studio::ui
