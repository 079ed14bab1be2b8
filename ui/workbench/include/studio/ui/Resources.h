#pragma once
// Bundled resources (demo model, tag lists), looked up in the same places as the prompt
// library's tag database: $STUDIO_RESOURCES_DIR, <exe>/../share/precision-studio, then the
// source tree for development runs.
#include <QString>
#include <QStringList>

namespace studio::ui {

QStringList resourceRoots();
// The first existing `relative` path under the roots, or "" when there is none.
QString findResource(const QString& relative);
// resources/models/newbie-demo when present, else "".
QString demoModelDir();

}  // namespace studio::ui
