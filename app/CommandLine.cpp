#include "CommandLine.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstring>

#include "studio/Provenance.h"

namespace studio::app {

void setApplicationInfo() {
    QCoreApplication::setOrganizationName(QStringLiteral("precision-studio"));
    QCoreApplication::setApplicationName(QStringLiteral("Precision Studio"));
    QCoreApplication::setApplicationVersion(QString::fromStdString(app_version()).section(QLatin1Char(' '), -1));
}

bool wantsHelpOrVersion(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"--help", "-h", "--help-all", "--version", "-v", "-?"})
            if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

Options parseCommandLine(const QCoreApplication& app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Precision Studio: generate NewBie-image pictures with per-module precision (fp32, tf32, bf16, fp16)\n"
        "and compare two configurations pixel by pixel.\n\n"
        "Files given on the command line are opened: images restore the settings they carry (their\n"
        "pixels are shown as A, a second image as B); .xml or .txt files are loaded as the prompt."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model("model", "NewBie model folder to use.", "DIR");
    const QCommandLineOption prompt("prompt", "Load the prompt from a UTF-8 text file.", "FILE");
    const QCommandLineOption screenshot("screenshot", "Save a PNG of the window after start-up (and after --compare / --sweep) and quit.", "PATH");
    const QCommandLineOption quitAfter("quit-after-ms",
                                       "Close the window after N milliseconds; exits with status 3 if a requested "
                                       "screenshot, --compare or --sweep run had not completed by then.", "N");
    const QCommandLineOption size("size", "Window size, e.g. 1280x800.", "WxH");
    const QCommandLineOption settings("settings", "Use this INI file instead of the user's settings.", "FILE");
    const QCommandLineOption dataDir("data-dir", "Keep the prompt autosave in this folder.", "DIR");
    const QCommandLineOption compare("compare", "Run Compare (A then B) right after start-up.");
    const QCommandLineOption sweep("sweep",
                                   "Run a precision sweep right after start-up (each module in turn through fp32, "
                                   "bf16 and fp16, seed 1) and show it in the Sweep tab.");
    const QCommandLineOption form("form", "Show the prompt as a form.");
    const QCommandLineOption view("view",
                                  "Compare mode: side, wipe, flicker or diff; or audit (show the Precision audit tab).",
                                  "MODE");
    const QCommandLineOption audit("audit", "Numerics trace of the runs: basic, deep (every layer) or off.", "LEVEL");
    const QCommandLineOption inject("inject",
                                    "Diagnostic: inject a fault into every run (e.g. overflow:dit.layers.1, inf:vae, "
                                    "zero-image; see precision-cli selftest-audit) to see the audit flag it.",
                                    "FAULT");
    parser.addOptions({model, prompt, screenshot, quitAfter, size, settings, dataDir, compare, sweep, form, view, audit, inject});
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("Images (PNG, TIFF, EXR, JPEG) or XML prompt files to open."),
                                 QStringLiteral("[FILE...]"));
    parser.process(app);

    Options o;
    o.model = parser.value(model);
    o.prompt = parser.value(prompt);
    o.screenshot = parser.value(screenshot);
    o.settings = parser.value(settings);
    o.dataDir = parser.value(dataDir);
    o.view = parser.value(view);
    o.audit = parser.value(audit);
    o.inject = parser.value(inject);
    o.compare = parser.isSet(compare);
    o.sweep = parser.isSet(sweep);
    o.form = parser.isSet(form);
    o.files = parser.positionalArguments();
    if (parser.isSet(quitAfter)) o.quitAfterMs = parser.value(quitAfter).toInt();
    const QStringList wh = parser.value(size).split(QLatin1Char('x'));
    if (wh.size() == 2) o.size = QSize(wh[0].toInt(), wh[1].toInt());
    return o;
}

}  // namespace studio::app
