#pragma once
// precision-studio's command line. --help and --version are answered before any window system
// is touched, so they work without a display (man page generation, packaging checks).
#include <QSize>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace studio::app {

struct Options {
    QString model, prompt, screenshot, settings, dataDir, view, audit, inject;
    QStringList files;  // images to open (settings restored) and .xml / .txt prompt files
    QSize size;
    int quitAfterMs{-1};
    bool compare{false};
    bool sweep{false};
    bool form{false};
};

// Name, organisation and version as --version prints them.
void setApplicationInfo();
// True when argv asks only for --help / --version (answer those with a QCoreApplication).
bool wantsHelpOrVersion(int argc, char** argv);
// Parses the arguments; prints help / version / errors and exits like QCommandLineParser::process.
Options parseCommandLine(const QCoreApplication& app);

}  // namespace studio::app
