// MainWindow: queueing jobs, showing their progress and results, restoring from images.
#include <QAction>
#include <QDateTime>
#include <QFileInfo>
#include <QTabWidget>

#include "studio/Divergence.h"
#include "studio/ImageSettings.h"
#include "studio/PromptFormat.h"
#include "studio/Provenance.h"
#include "studio/ui/AuditPanel.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/DivergencePlot.h"
#include "studio/ui/ErrorBanner.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/GenerationWorker.h"
#include "studio/ui/HistoryStrip.h"
#include "studio/ui/JobStatusBar.h"
#include "studio/ui/LogPanel.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetadataDialog.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/PixelReadout.h"

namespace studio::ui {

namespace {
// "fp32" when every module agrees, else the four values ("fp32/fp32/bf16/bf16").
QString precisionSummary(const PrecisionConfig& p) {
    QStringList values;
    for (Module m : kAllModules) values << QString::fromStdString(to_string(p.get(m)));
    return values.count(values.front()) == values.size() ? values.front() : values.join(QLatin1Char('/'));
}

// The training system prompt for plain-text captions, without its " <Prompt Start> " tail
// (the pipeline adds that to a custom system prompt).
std::string plainTextSystemPrompt() {
    std::string s = kTextSystemPrompt;
    const auto tail = s.find("<Prompt Start>");
    if (tail != std::string::npos) s.erase(tail);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}
}  // namespace

QString MainWindow::precisionLabel(const PrecisionConfig& config) const {
    const QString summary = precisionSummary(config);
    if (!summary.contains(QLatin1Char('/'))) return summary;
    for (const QString& name : m_precision->presetNames())
        if (m_precision->preset(name) == config) return name;  // "Mixed" or a user preset
    return summary;
}

void MainWindow::setPlainTextConfirmation(std::function<bool(const QString&)> confirm) {
    m_prompt->setPlainTextConfirmation(std::move(confirm));
}

void MainWindow::connectWorker() {
    if (!m_worker) return;
    GenerationWorker* w = m_worker;
    connect(w, &GenerationWorker::queued, this, [this] { m_status->setQueued(m_worker->queuedCount()); });
    connect(w, &GenerationWorker::started, this, [this](int, const QString& tag) {
        m_status->jobStarted(tag);
        m_status->setQueued(m_worker->queuedCount());
        action(QStringLiteral("cancel"))->setEnabled(true);
    });
    connect(w, &GenerationWorker::progress, this, [this](int, const ProgressInfo& info) { m_status->setProgress(info); });
    connect(w, &GenerationWorker::preview, this, [this](int, const QImage& image) { m_status->setPreview(image); });
    connect(w, &GenerationWorker::finished, this, &MainWindow::onJobFinished);
    connect(w, &GenerationWorker::failed, this, [this](int jobId, const QString& message) {
        const QString tag = m_worker ? m_worker->tag(jobId) : QString();
        m_status->jobEnded(tr("%1 failed").arg(tag));
        m_banner->showError(tr("Run %1 failed:").arg(tag), message);
        m_log->appendMessage(static_cast<int>(LogLevel::Error), tr("Run %1 failed: %2").arg(tag, message));
    });
    connect(w, &GenerationWorker::cancelled, this, [this](int jobId) {
        const QString tag = m_worker ? m_worker->tag(jobId) : QString();
        m_status->jobEnded(tr("%1 cancelled").arg(tag));
        m_status->setQueued(m_worker ? m_worker->queuedCount() : 0);
        m_log->appendMessage(static_cast<int>(LogLevel::Info), tr("Run %1 cancelled").arg(tag));
    });
    connect(w, &GenerationWorker::idle, this, [this] {
        action(QStringLiteral("cancel"))->setEnabled(m_worker && m_worker->busy());
        Q_EMIT jobsIdle();
    });
}

std::optional<GenerationParams> MainWindow::prepareParams(PrecisionPanel::Column column) {
    if (!m_worker) {
        showError(tr("Cannot run"), tr("This build has no generation backend."));
        return std::nullopt;
    }
    if (m_controls->modelDir().isEmpty()) {
        showError(tr("No model folder"), tr("Choose a NewBie model folder under Generation > Model first."));
        return std::nullopt;
    }
    const PromptPanel::RunCheck check = m_prompt->checkBeforeRun();
    if (check == PromptPanel::RunCheck::Blocked) return std::nullopt;
    GenerationParams p;
    m_controls->fillParams(p);
    p.seed = m_controls->resolveSeed();
    p.prompt = m_prompt->prompt().toStdString();
    p.negative = m_prompt->negative().toStdString();
    p.precision = m_precision->config(column);
    if (check == PromptPanel::RunCheck::SendAsPlainText) {
        // Sent verbatim, but conditioned like a plain-text caption, and recorded as such.
        p.system_prompt = SystemPromptMode::Custom;
        p.custom_system_prompt = plainTextSystemPrompt();
    }
    return p;
}

int MainWindow::enqueue(const GenerationParams& params, const QString& tag) {
    const int id = m_worker->enqueue(params, tag);
    if (id == 0) {
        showError(tr("Queue full"), tr("%1 jobs are waiting already; cancel some or wait.").arg(GenerationWorker::kMaxQueued));
        return 0;
    }
    m_prompt->addToRecent();
    action(QStringLiteral("cancel"))->setEnabled(true);
    m_log->appendMessage(static_cast<int>(LogLevel::Info),
                         tr("Queued %1: precision %2, seed %3").arg(tag, QString::fromStdString(params.precision.describe_sources()))
                             .arg(params.seed));
    return id;
}

int MainWindow::runColumn(PrecisionPanel::Column column) {
    const auto params = prepareParams(column);
    return params ? enqueue(*params, column == PrecisionPanel::A ? QStringLiteral("A") : QStringLiteral("B")) : 0;
}

QList<int> MainWindow::compare() {
    const auto a = prepareParams(PrecisionPanel::A);
    if (!a) return {};
    GenerationParams b = *a;  // same prompt, seed and settings; only the precision differs
    b.precision = m_precision->config(PrecisionPanel::B);
    QList<int> ids;
    if (const int id = enqueue(*a, QStringLiteral("A"))) ids << id;
    if (const int id = enqueue(b, QStringLiteral("B"))) ids << id;
    return ids;
}

void MainWindow::cancelJobs() {
    if (m_worker) m_worker->cancelAll();
}

void MainWindow::onJobFinished(int jobId, const RunResult& result) {
    const QString tag = m_worker ? m_worker->tag(jobId) : QStringLiteral("A");
    RunRecord rec;
    rec.id = QStringLiteral("run-%1").arg(jobId);
    rec.image = shareImage(result.image);
    rec.report = result.report;
    rec.hasReport = true;
    rec.trajectory = result.trajectory;
    const QString precision = precisionLabel(result.report.params.precision);
    rec.label = QStringLiteral("%1 \u00b7 seed %2").arg(precision).arg(result.report.params.seed);
    // The strip is narrow: tag and precision only; the seed and the rest are in the tooltip.
    HistoryEntry entry{rec.id, QStringLiteral("%1 \u00b7 %2").arg(tag, precision),
                       QStringLiteral("%1\n%2").arg(QDateTime::currentDateTime().toString(Qt::ISODate),
                                                    QString::fromStdString(result.report.params.to_string())),
                       toQImage(result.image)};
    m_runs[rec.id] = rec;
    m_runOrder << rec.id;
    m_history->addRun(entry);
    showRun(rec.id, tag == QStringLiteral("B") ? PrecisionPanel::B : PrecisionPanel::A);
    forgetOldRuns();
    if (!m_shownA.isEmpty() && !m_shownB.isEmpty() && tag == QStringLiteral("B"))
        m_sideTabs->setCurrentWidget(m_metrics);  // both sides are there: the numbers are what comes next

    m_status->jobEnded(tr("%1 done in %2 s").arg(tag).arg(result.report.total_seconds, 0, 'f', 1));
    const RunReport& r = result.report;
    if (has_problems(r)) {
        // The worst finding names what went wrong and where; the report panel lists them all.
        const Finding* worst = nullptr;
        for (const Finding& f : r.findings)
            if (f.severity != Severity::Info && (!worst || f.severity > worst->severity)) worst = &f;
        QString where = QString::fromStdString(worst->module + (worst->layer.empty() ? "" : "." + worst->layer));
        QString what = QStringLiteral("%1%2: %3")
                           .arg(QString::fromStdString(worst->code), where.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(where),
                                QString::fromStdString(worst->message));
        if (r.vae_fallback_used) what += tr("; the VAE was re-run in fp32");
        m_banner->showError(tr("Run %1 (%2), %3 finding(s):").arg(tag, precision).arg(r.findings.size()), what);
    }
    for (const std::string& w : r.warnings)
        m_log->appendMessage(static_cast<int>(LogLevel::Warn), tr("%1: %2").arg(tag, QString::fromStdString(w)));
}

void MainWindow::showRun(const QString& id, PrecisionPanel::Column column) {
    if (!m_runs.count(id)) return;
    (column == PrecisionPanel::A ? m_shownA : m_shownB) = id;
    refreshShown();
    Q_EMIT runShown(id, column);
}

void MainWindow::refreshShown() {
    auto find = [this](const QString& id) -> const RunRecord* {
        auto it = m_runs.find(id);
        return it == m_runs.end() ? nullptr : &it->second;
    };
    const RunRecord* a = find(m_shownA);
    const RunRecord* b = find(m_shownB);
    const ImagePtr imgA = a ? a->image : nullptr;
    const ImagePtr imgB = b ? b->image : nullptr;
    const QString labelA = a ? QStringLiteral("A: ") + a->label : QStringLiteral("A");
    const QString labelB = b ? QStringLiteral("B: ") + b->label : QStringLiteral("B");
    const QString jsonA = a && a->hasReport ? QString::fromStdString(a->report.to_json()) : QString();
    const QString jsonB = b && b->hasReport ? QString::fromStdString(b->report.to_json()) : QString();
    // A badge on each image when its run has warning or error findings (the audit tab lists them).
    auto badged = [](const QString& label, const QString& json) {
        const QString badge = json.isEmpty() ? QString() : auditBadgeText(json);
        return badge.isEmpty() ? label : label + QStringLiteral("  ") + badge;
    };
    m_compare->setImages(imgA, imgB);
    m_compare->setLabels(badged(labelA, jsonA), badged(labelB, jsonB));
    m_audit->setReports(jsonA, jsonB, labelA, labelB);
    m_readout->setImages(imgA, imgB);
    m_readout->setLabels(labelA, labelB);
    m_metrics->setLabels(labelA, labelB);
    m_metrics->setImages(imgA, imgB);
    m_metrics->setReports(jsonA, jsonB);
    showDivergence(a, b);
    m_history->setMarkedA(a ? m_shownA : QString());
    m_history->setMarkedB(b ? m_shownB : QString());
}

void MainWindow::showDivergence(const RunRecord* a, const RunRecord* b) {
    m_divergence.clear();
    QString note;
    if (a && b && a->trajectory && b->trajectory) {
        try {
            m_divergence = trajectory_divergence(*a->trajectory, *b->trajectory);
        } catch (const StudioError& e) {
            note = tr("No divergence plot: %1").arg(QString::fromStdString(e.what()));
        }
    } else if (a && b) {
        note = tr("No divergence plot: both runs must come from this session (opened images carry no trajectory).");
    }
    QList<DivergencePoint> points;
    for (const auto& d : m_divergence) points << DivergencePoint{d.step, d.latent, d.velocity};
    m_metrics->divergencePlot()->setDivergence(points, note);
}

void MainWindow::forgetOldRuns() {
    // Trajectories are large on real models (two latents per step, ~2 MB per step at 1024x1024):
    // only the shown runs and the newest few keep theirs.
    constexpr int kTrajectoriesKept = 4;
    int kept = 0;
    for (int i = static_cast<int>(m_runOrder.size()) - 1; i >= 0; --i) {
        const QString& id = m_runOrder[i];
        auto it = m_runs.find(id);
        if (it == m_runs.end() || !it->second.trajectory || id == m_shownA || id == m_shownB) continue;
        if (++kept > kTrajectoriesKept) it->second.trajectory.reset();
    }
    for (int i = 0; m_runOrder.size() > kMaxRunsKept && i < m_runOrder.size();) {
        const QString id = m_runOrder[i];
        if (id == m_shownA || id == m_shownB) {
            ++i;
            continue;
        }
        m_runOrder.removeAt(i);
        m_runs.erase(id);
        m_history->removeRun(id);
    }
}

std::optional<RunReport> MainWindow::shownReport(PrecisionPanel::Column column) const {
    auto it = m_runs.find(column == PrecisionPanel::A ? m_shownA : m_shownB);
    if (it == m_runs.end() || !it->second.hasReport) return std::nullopt;
    return it->second.report;
}

ExportInputs MainWindow::exportInputs() const {
    ExportInputs in;
    auto fill = [this](const QString& id, const QString& column, ImageF& image, QString& label) {
        auto it = m_runs.find(id);
        if (it == m_runs.end()) return;
        if (it->second.image) image = *it->second.image;
        label = column + QStringLiteral(": ") + it->second.label;
    };
    fill(m_shownA, QStringLiteral("A"), in.a, in.labelA);
    fill(m_shownB, QStringLiteral("B"), in.b, in.labelB);
    in.reportA = shownReport(PrecisionPanel::A);
    in.reportB = shownReport(PrecisionPanel::B);
    in.gain = m_compare->differenceGain();
    if (!m_divergence.empty()) in.divergence = divergence_to_json(m_divergence).dump();
    in.colormap = m_compare->colormap();
    return in;
}

namespace {
// The settings a foreign record restores, on top of the current ones.
void applyForeign(const ImageSettings& s, GenerationParams& p) {
    if (s.restores("seed")) p.seed = s.params.seed;
    if (s.restores("steps")) p.steps = s.params.steps;
    if (s.restores("CFG scale")) p.cfg_scale = s.params.cfg_scale;
    if (s.restores("sampler")) p.sampler = s.params.sampler;
    if (s.restores("size")) {
        p.width = s.params.width;
        p.height = s.params.height;
    }
}
}  // namespace

bool MainWindow::openImage(const QString& path, PrecisionPanel::Column column) {
    ImageMetadata meta;
    try {
        meta = read_image_metadata(path.toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot open image"), QString::fromStdString(e.what()));
        return false;
    }
    const ImageSettings settings = read_image_settings(meta.text);
    const bool ours = settings.origin == SettingsOrigin::PrecisionStudio;
    const bool restored = ours || !settings.restored.empty();
    QString status;
    if (column == PrecisionPanel::B) {
        if (ours) m_precision->setConfig(PrecisionPanel::B, settings.params.precision);
        status = ours ? tr("Shown as B; its precision was restored as column B.")
                      : tr("Shown as B; %1").arg(QString::fromStdString(settings.summary()));
    } else if (ours) {
        m_prompt->setPrompt(QString::fromStdString(settings.params.prompt));
        m_prompt->setNegative(QString::fromStdString(settings.params.negative));
        m_controls->applyParams(settings.params);
        m_precision->setConfig(PrecisionPanel::A, settings.params.precision);
        status = tr("Settings, prompt and precision (as column A) were restored from this image.");
    } else if (settings.foreign()) {
        if (settings.restores("prompt")) m_prompt->setPrompt(QString::fromStdString(settings.params.prompt));
        if (settings.restores("negative prompt")) m_prompt->setNegative(QString::fromStdString(settings.params.negative));
        GenerationParams current;
        m_controls->fillParams(current);
        applyForeign(settings, current);
        m_controls->applyParams(current);
        QStringList names;
        for (const auto& name : settings.restored) names << QString::fromStdString(name);
        status = tr("This image was made by another tool (%1), not by Precision Studio. Restored: %2. "
                    "Precision, model and everything else were kept as they were.")
                     .arg(QString::fromStdString(settings.tool), names.isEmpty() ? tr("nothing") : names.join(QStringLiteral(", ")));
    } else {
        status = tr("No settings restored: %1").arg(QString::fromStdString(settings.error));
    }
    RunReport report = settings.report;
    report.params = settings.params;
    // Show the pixels too, so an export can be compared with a new run.
    try {
        RunRecord rec;
        rec.id = QStringLiteral("file:") + QFileInfo(path).absoluteFilePath();
        rec.image = shareImage(read_image(path.toStdString()));
        rec.report = report;
        rec.hasReport = ours;
        rec.label = QStringLiteral("%1 \u00b7 %2").arg(QFileInfo(path).fileName(),
                                                         ours ? precisionLabel(settings.params.precision)
                                                         : settings.foreign() ? QString::fromStdString(settings.tool)
                                                                              : tr("no settings"));
        if (rec.image) {
            if (!m_runs.count(rec.id)) m_runOrder << rec.id;
            m_runs[rec.id] = rec;
            m_history->addRun({rec.id, QFileInfo(path).fileName(), path, toQImage(*rec.image)});
            showRun(rec.id, column);
        }
    } catch (const std::exception& e) {
        m_log->appendMessage(static_cast<int>(LogLevel::Warn), tr("Could not show %1: %2").arg(path, QString::fromStdString(e.what())));
    }
    auto* dialog = new MetadataDialog(path, meta.text, status, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    m_log->appendMessage(static_cast<int>(restored ? LogLevel::Info : LogLevel::Warn),
                         tr("Opened %1: %2").arg(path, status));
    return restored;
}

}  // namespace studio::ui
