// precision-studio: parses the command line, sets up logging, the generation backend and
// the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QPixmap>
#include <QTabWidget>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <memory>

#include "PipelineBackend.h"
#include "studio/Logging.h"
#include "studio/Precision.h"
#include "studio/Provenance.h"
#include "studio/prompt/TagDatabase.h"
#include "studio/ui/CompareView.h"
#include "studio/ui/GenerationControls.h"
#include "studio/ui/MainWindow.h"
#include "studio/ui/MetricsPanel.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/Resources.h"

using namespace studio;

namespace {

struct Options {
    QString model, prompt, screenshot, settings, dataDir, view;
    QSize size;
    int quitAfterMs{-1};
    bool compare{false};
    bool form{false};
};

Options parseCommandLine(const QApplication& app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("NewBie-image with per-module precision and A/B comparison"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model("model", "NewBie model folder to use.", "DIR");
    const QCommandLineOption prompt("prompt", "Load the prompt from a UTF-8 text file.", "FILE");
    const QCommandLineOption screenshot("screenshot", "Save a PNG of the window after start-up (and after --compare) and quit.", "PATH");
    const QCommandLineOption quitAfter("quit-after-ms", "Close the window after N milliseconds.", "N");
    const QCommandLineOption size("size", "Window size, e.g. 1280x800.", "WxH");
    const QCommandLineOption settings("settings", "Use this INI file instead of the user's settings.", "FILE");
    const QCommandLineOption dataDir("data-dir", "Keep the prompt autosave in this folder.", "DIR");
    const QCommandLineOption compare("compare", "Run Compare (A then B) right after start-up.");
    const QCommandLineOption form("form", "Show the prompt as a form.");
    const QCommandLineOption view("view", "Compare mode: side, wipe, flicker or diff.", "MODE");
    parser.addOptions({model, prompt, screenshot, quitAfter, size, settings, dataDir, compare, form, view});
    parser.process(app);

    Options o;
    o.model = parser.value(model);
    o.prompt = parser.value(prompt);
    o.screenshot = parser.value(screenshot);
    o.settings = parser.value(settings);
    o.dataDir = parser.value(dataDir);
    o.view = parser.value(view);
    o.compare = parser.isSet(compare);
    o.form = parser.isSet(form);
    if (parser.isSet(quitAfter)) o.quitAfterMs = parser.value(quitAfter).toInt();
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    if (wh.size() == 2) o.size = QSize(wh[0].toInt(), wh[1].toInt());
    return o;
}

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

// Saves the window once the jobs are done and the metrics are computed, then quits.
void grabWhenSettled(ui::MainWindow& window, const QString& path) {
    auto* timer = new QTimer(&window);
    auto* clock = new QElapsedTimer;
    clock->start();
    QObject::connect(timer, &QTimer::timeout, &window, [&window, path, timer, clock] {
        if (window.metricsPanel()->isBusy() && clock->elapsed() < 10000) return;
        timer->stop();
        delete clock;
        const bool ok = window.grab().save(path, "PNG");
        if (ok) spdlog::info("screenshot saved to {}", path.toStdString());
        else spdlog::error("could not save the screenshot to {}", path.toStdString());
        window.close();
        QCoreApplication::exit(ok ? 0 : 1);
    });
    timer->start(150);
}

}  // namespace

int main(int argc, char** argv) {
    studio::prepare_process_environment();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("precision-studio"));
    QApplication::setApplicationName(QStringLiteral("Precision Studio"));
    QApplication::setApplicationVersion(QString::fromStdString(app_version()).section(QLatin1Char(' '), -1));
    const Options opt = parseCommandLine(app);
    init_logging();

    ui::WorkerThread worker(app::make_pipeline_runner());
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
    if (!opt.model.isEmpty()) window.controls()->setModelDir(opt.model);
    if (!opt.prompt.isEmpty()) {
        QFile file(opt.prompt);
        if (file.open(QIODevice::ReadOnly)) window.promptPanel()->setPrompt(QString::fromUtf8(file.readAll()));
        else spdlog::error("cannot read the prompt file {}: {}", opt.prompt.toStdString(), file.errorString().toStdString());
    } else if (!window.restoredSession()) {
        window.loadExamplePrompt();
    }
    if (opt.form) window.promptPanel()->tabs()->setCurrentIndex(ui::PromptPanel::FormTab);
    static const QMap<QString, ui::CompareView::Mode> modes{{"side", ui::CompareView::Mode::SideBySide},
                                                           {"wipe", ui::CompareView::Mode::Wipe},
                                                           {"flicker", ui::CompareView::Mode::Flicker},
                                                           {"diff", ui::CompareView::Mode::Difference}};
    if (modes.contains(opt.view)) window.compareView()->setMode(modes.value(opt.view));
    if (opt.size.isValid()) window.resize(opt.size);
    window.show();

    const QString shot = opt.screenshot;
    if (opt.compare) {
        QTimer::singleShot(0, &window, [&window, shot] {
            const QList<int> jobs = window.compare();
            if (shot.isEmpty()) return;
            if (jobs.isEmpty()) grabWhenSettled(window, shot);  // nothing to wait for (the error is shown)
            else QObject::connect(&window, &ui::MainWindow::jobsIdle, &window, [&window, shot] { grabWhenSettled(window, shot); },
                                  Qt::SingleShotConnection);
        });
    } else if (!shot.isEmpty()) {
        QTimer::singleShot(500, &window, [&window, shot] { grabWhenSettled(window, shot); });
    }
    if (opt.quitAfterMs >= 0) {
        QTimer::singleShot(opt.quitAfterMs, &window, [&window] {
            window.close();
            QCoreApplication::quit();
        });
    }
    return app.exec();
}
