#include "studio/ui/Resources.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace studio::ui {

QStringList resourceRoots() {
    QStringList roots;
    if (const QString env = qEnvironmentVariable("STUDIO_RESOURCES_DIR"); !env.isEmpty()) roots << env;
    if (QCoreApplication::instance())
        roots << QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../share/precision-studio"));
#ifdef STUDIO_RESOURCES_SOURCE_DIR
    roots << QStringLiteral(STUDIO_RESOURCES_SOURCE_DIR);
#endif
    return roots;
}

QString findResource(const QString& relative) {
    for (const QString& root : resourceRoots()) {
        const QFileInfo info(QDir(root).absoluteFilePath(relative));
        if (info.exists()) return QDir::cleanPath(info.absoluteFilePath());
    }
    return {};
}

QString demoModelDir() { return findResource(QStringLiteral("models/newbie-demo")); }

}  // namespace studio::ui
