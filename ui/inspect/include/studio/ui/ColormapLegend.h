#pragma once
// Vertical colour bar for the difference view: which |A-B| each colour stands for at the
// current gain (colour t in [0,1] <=> |A-B| = t / gain; the top colour means "this or more").
#include <QWidget>

#include "studio/Metrics.h"

namespace studio::ui {

class ColormapLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColormapLegend(QWidget* parent = nullptr);

    void setColormap(Colormap map);
    void setGain(double gain);
    Colormap colormap() const { return m_map; }
    double gain() const { return m_gain; }
    double valueAt(double t) const { return t / m_gain; }  // |A-B| at colour position t

    QSize sizeHint() const override { return {92, 240}; }
    QSize minimumSizeHint() const override { return {80, 120}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    Colormap m_map{Colormap::Inferno};
    double m_gain{10.0};
};

}  // namespace studio::ui
