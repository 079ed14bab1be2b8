#pragma once
// Mirrors zoom and pan across any number of canvases: a change in one is applied to all
// others, without feedback loops. Canvases leave the group when destroyed.
#include <QList>
#include <QObject>
#include <QPointer>

#include "studio/ui/ImageCanvas.h"

namespace studio::ui {

class ViewSynchronizer : public QObject {
    Q_OBJECT
public:
    explicit ViewSynchronizer(QObject* parent = nullptr);

    // The new canvas takes the group's current view (that of the first canvas).
    void addCanvas(ImageCanvas* canvas);
    void removeCanvas(ImageCanvas* canvas);
    QList<ImageCanvas*> canvases() const;

    void setEnabled(bool on) { m_enabled = on; }
    bool isEnabled() const { return m_enabled; }

private:
    void propagate(ImageCanvas* source, const ViewTransform& view);

    QList<QPointer<ImageCanvas>> m_canvases;
    bool m_enabled{true};
    bool m_busy{false};
};

}  // namespace studio::ui
