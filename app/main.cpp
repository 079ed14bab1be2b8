// precision-studio: parses the command line, sets up logging, the generation backend and
// the main window, opens the files given on the command line.
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QMap>
#include <QPixmap>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "CommandLine.h"
#include "PipelineBackend.h"
#include "studio/AuditSelfTest.h"
#include "studio/BlasCheck.h"
#include "studio/Logging.h"
#include "studio/Precision.h"
#include "studio/Provenance.h"
#include "studio/prompt/TagDatabase.h"
#include "studio/ui/AuditPanel.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/Resources.h"

using namespace studio;

namespace {

PrecisionConfig defaultPrecisionA() {
    try {
        const PrecisionConfig a = PrecisionConfig::from_environment(PrecisionConfig::all_fp32());
        spdlog::info("column A defaults: {}", a.describe_sources());
        return a;
    } catch (const StudioError& e) {
        spdlog::error("NEWBIE_DTYPE ignored: {}", e.what());
        return PrecisionConfig::all_fp32();
    }
}

std::shared_ptr<const TagDatabase> loadTags() {
    try {
        auto tags = std::make_shared<const TagDatabase>(TagDatabase::load_default());
        spdlog::info("tag list: {} tags", tags->size());
        return tags;
    } catch (const StudioError& e) {
        spdlog::warn("tag completion disabled: {}", e.what());
        return nullptr;
    }
}

// What a scripted start (--screenshot, --compare, --quit-after-ms) asked for and what happened:
// the exit status says whether it all completed.
struct ScriptedRun {
    bool screenshotRequested{false};
    bool screenshotSaved{false};
    bool compareRequested{false};
    bool compareDone{false};
    bool sweepRequested{false};
    bool sweepDone{false};
    int failedJobs{0};
};

// Saves the window once the jobs are done and the metrics are computed, then quits: 0 when the
// screenshot shows everything asked for, 1 when it could not be saved or a run failed, 3 when the
// metrics were still computing after 10 s.
void grabWhenSettled(ui::MainWindow& window, const QString& path, ScriptedRun& run) {
    auto* timer = new QTimer(&window);
    auto* clock = new QElapsedTimer;
    clock->start();
    QObject::connect(timer, &QTimer::timeout, &window, [&window, path, timer, clock, &run] {
        const bool busy = window.metricsPanel()->isBusy();
        if (busy && clock->elapsed() < 10000) return;
        timer->stop();
        delete clock;
        const bool ok = window.grab().save(path, "PNG");
        run.screenshotSaved = ok;
        if (ok) spdlog::info("screenshot saved to {}", path.toStdString());
        else spdlog::error("could not save the screenshot to {}", path.toStdString());
        if (busy) spdlog::error("the metrics were still computing after 10 s; the screenshot lacks them");
        if (run.failedJobs > 0) spdlog::error("{} run(s) failed; the screenshot shows the error", run.failedJobs);
        window.close();
        QCoreApplication::exit(!ok || run.failedJobs > 0 ? 1 : busy ? 3 : 0);
    });
    timer->start(150);
}

// Opens the files named on the command line: prompts into the editor, images like a drop (the
// first one restores its settings and shows as A, a second one shows as B).
void openStartupFiles(ui::MainWindow& window, const QStringList& files) {
    int images = 0;
    for (const QString& file : files) {
        const QString suffix = QFileInfo(file).suffix().toLower();
        if (suffix == QLatin1String("xml") || suffix == QLatin1String("txt")) {
            QFile f(file);
            if (f.open(QIODevice::ReadOnly)) window.promptPanel()->setPrompt(QString::fromUtf8(f.readAll()));
            else spdlog::error("cannot read the prompt file {}: {}", file.toStdString(), f.errorString().toStdString());
        } else if (images < 2) {
            window.openImage(file, images++ == 0 ? ui::PrecisionPanel::A : ui::PrecisionPanel::B);
        } else {
            spdlog::warn("{}: only two images (A and B) are opened at a time", file.toStdString());
        }
    }
}

// libtorch on Debian's reference BLAS is several times slower: say so in the log and the status bar.
void warnAboutSlowBlas(ui::MainWindow& window) {
    const std::string warning = reference_blas_warning(current_blas());
    if (warning.empty()) return;
    spdlog::warn("{}", warning);
    auto* label = new QLabel(QString::fromStdString(warning));
    label->setObjectName(QStringLiteral("blasWarning"));
    label->setStyleSheet(QStringLiteral("color: #b35c00; font-weight: bold;"));
    window.statusBar()->addPermanentWidget(label, 1);
}

}  // namespace

int main(int argc, char** argv) {
    studio::prepare_process_environment();
    if (app::wantsHelpOrVersion(argc, argv)) {  // no display needed
        QCoreApplication core(argc, argv);
        app::setApplicationInfo();
        app::parseCommandLine(core);  // prints and exits
        return 0;
    }
    QApplication application(argc, argv);
    app::setApplicationInfo();
    QGuiApplication::setDesktopFileName(QStringLiteral("org.precisionstudio.PrecisionStudio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/precision-studio.png")));
    const app::Options opt = app::parseCommandLine(application);
    init_logging();
    AuditLevel auditLevel = AuditLevel::Basic;
    if (!opt.audit.isEmpty() && !parse_audit_level(opt.audit.toStdString(), auditLevel)) {
        std::fprintf(stderr, "precision-studio: unknown --audit level '%s' (basic, deep or off)\n", qPrintable(opt.audit));
        return 2;
    }
    static const QMap<QString, ui::CompareView::Mode> modes{{"side", ui::CompareView::Mode::SideBySide},
                                                           {"wipe", ui::CompareView::Mode::Wipe},
                                                           {"flicker", ui::CompareView::Mode::Flicker},
                                                           {"diff", ui::CompareView::Mode::Difference}};
    const QStringList views = QStringList(modes.keys()) << QStringLiteral("audit");
    if (!opt.view.isEmpty() && !views.contains(opt.view)) {
        std::fprintf(stderr, "precision-studio: unknown --view '%s' (%s)\n", qPrintable(opt.view), qPrintable(views.join(", ")));
        return 2;
    }

    if (!opt.inject.isEmpty()) {
        if (const std::string why = fault_spec_error(opt.inject.toStdString()); !why.empty()) {
            std::fprintf(stderr, "precision-studio: --inject: %s\n", why.c_str());
            return 2;
        }
        spdlog::warn("diagnostic fault {} is injected into every run", opt.inject.toStdString());
    }
    ui::WorkerThread worker(app::make_pipeline_runner(opt.inject.toStdString()));
    ui::WorkbenchOptions options;
    options.worker = worker.worker();
    options.tokenCounter = app::make_token_counter();
    options.sweepRunner = app::make_sweep_runner();
    options.tags = loadTags();
    options.cudaAvailable = app::cuda_available();
    options.settingsPath = opt.settings;
    options.dataDir = opt.dataDir;
    options.defaultPrecisionA = defaultPrecisionA();
    options.defaultModelDir = ui::demoModelDir();
    if (options.defaultModelDir.isEmpty()) spdlog::info("no bundled demo model found; choose a model folder");

    ui::MainWindow window(options);
    warnAboutSlowBlas(window);
    if (!opt.model.isEmpty()) window.controls()->setModelDir(opt.model);
    if (!opt.prompt.isEmpty()) {
        QFile file(opt.prompt);
        if (file.open(QIODevice::ReadOnly)) window.promptPanel()->setPrompt(QString::fromUtf8(file.readAll()));
        else spdlog::error("cannot read the prompt file {}: {}", opt.prompt.toStdString(), file.errorString().toStdString());
    } else if (!window.restoredSession() && opt.files.isEmpty()) {
        window.loadExamplePrompt();
    }
    openStartupFiles(window, opt.files);
    if (opt.form) window.promptPanel()->tabs()->setCurrentIndex(ui::PromptPanel::FormTab);
    if (modes.contains(opt.view)) window.compareView()->setMode(modes.value(opt.view));
    if (opt.view == QLatin1String("audit")) window.centreTabs()->setCurrentWidget(window.auditPanel());
    if (!opt.audit.isEmpty()) window.controls()->setAuditLevel(auditLevel);
    if (opt.size.isValid()) window.resize(opt.size);
    window.show();

    ScriptedRun run;
    run.screenshotRequested = !opt.screenshot.isEmpty();
    run.compareRequested = opt.compare;
    run.sweepRequested = opt.sweep && !opt.compare;
    QObject::connect(worker.worker(), &ui::GenerationWorker::failed, &window, [&run] { ++run.failedJobs; });
    const QString shot = opt.screenshot;
    if (opt.compare) {
        QTimer::singleShot(0, &window, [&window, shot, &run] {
            const QList<int> jobs = window.compare();
            if (jobs.isEmpty()) ++run.failedJobs;  // the prompt check or the setup blocked it (shown)
            auto done = [&window, shot, &run] {
                run.compareDone = true;
                if (!shot.isEmpty()) grabWhenSettled(window, shot, run);
            };
            if (jobs.isEmpty()) done();
            else QObject::connect(&window, &ui::MainWindow::jobsIdle, &window, done, Qt::SingleShotConnection);
        });
    } else if (opt.sweep) {
        QTimer::singleShot(0, &window, [&window, shot, &run] {
            auto done = [&window, shot, &run](bool complete) {
                run.sweepDone = complete;
                if (!complete) ++run.failedJobs;
                if (!shot.isEmpty()) grabWhenSettled(window, shot, run);
            };
            if (!window.runSweep(ui::SweepChoice{})) done(false);  // blocked: the reason is shown
            else QObject::connect(window.sweepPanel(), &ui::SweepPanel::sweepFinished, &window, done, Qt::SingleShotConnection);
        });
    } else if (!shot.isEmpty()) {
        QTimer::singleShot(500, &window, [&window, shot, &run] { grabWhenSettled(window, shot, run); });
    }
    if (opt.quitAfterMs >= 0) {
        QTimer::singleShot(opt.quitAfterMs, &window, [&window, &run, ms = opt.quitAfterMs] {
            const bool shotMissing = run.screenshotRequested && !run.screenshotSaved;
            const bool compareMissing = run.compareRequested && !run.compareDone;
            const bool sweepMissing = run.sweepRequested && !run.sweepDone;
            if (sweepMissing) spdlog::error("--quit-after-ms {}: the sweep had not finished", ms);
            if (shotMissing) spdlog::error("--quit-after-ms {}: the screenshot was not taken in time", ms);
            if (compareMissing) spdlog::error("--quit-after-ms {}: the comparison had not finished", ms);
            window.close();
            QCoreApplication::exit(shotMissing || compareMissing || sweepMissing ? 3 : run.failedJobs > 0 ? 1 : 0);
        });
    }
    return application.exec();
}
