#include "studio/ui/ViewSynchronizer.h"

namespace studio::ui {

ViewSynchronizer::ViewSynchronizer(QObject* parent) : QObject(parent) {}

void ViewSynchronizer::addCanvas(ImageCanvas* canvas)
{
    if (!canvas || canvases().contains(canvas)) return;
    const QList<ImageCanvas*> others = canvases();
    m_canvases.append(canvas);
    connect(canvas, &ImageCanvas::viewTransformChanged, this,
            [this, canvas](const ViewTransform& v) { propagate(canvas, v); });
    connect(canvas, &QObject::destroyed, this, [this, canvas] {
        m_canvases.removeIf([canvas](const QPointer<ImageCanvas>& c) { return c.isNull() || c == canvas; });
    });
    if (!others.isEmpty()) {
        m_busy = true;
        canvas->setViewTransform(others.first()->viewTransform());
        if (others.first()->isFitted()) canvas->setFitted(true);
        m_busy = false;
    }
}

void ViewSynchronizer::removeCanvas(ImageCanvas* canvas)
{
    if (!canvas) return;
    disconnect(canvas, nullptr, this, nullptr);
    m_canvases.removeIf([canvas](const QPointer<ImageCanvas>& c) { return c.isNull() || c == canvas; });
}

QList<ImageCanvas*> ViewSynchronizer::canvases() const
{
    QList<ImageCanvas*> out;
    for (const auto& c : m_canvases)
        if (c) out.append(c.data());
    return out;
}

void ViewSynchronizer::propagate(ImageCanvas* source, const ViewTransform& view)
{
    // m_busy breaks the loop: the targets' own viewTransformChanged arrive here re-entrantly.
    if (!m_enabled || m_busy) return;
    m_busy = true;
    for (ImageCanvas* c : canvases())
        if (c != source) {
            c->setViewTransform(view);
            // A fitted peer stays fitted, so that it refits itself when its size changes.
            if (source->isFitted()) c->setFitted(true);
        }
    m_busy = false;
}

}  // namespace studio::ui
