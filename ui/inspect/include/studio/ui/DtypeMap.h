#pragma once
// A compact map of what precision each traced layer really ran in: one line per module, one
// small cell per layer in report order, coloured by the observed value precision (or the
// output dtype where too few values were seen). Red cells went NaN/Inf, outlined cells have
// under 1 bit of fp16 headroom. Hover shows the layer's numbers; a click reports the row.
#include <QColor>
#include <QList>
#include <QWidget>

#include <functional>

#include "studio/ui/AuditReport.h"

namespace studio::ui {

class DtypeMap : public QWidget {
    Q_OBJECT
public:
    explicit DtypeMap(QWidget* parent = nullptr);

    // Rows as in AuditReport::layers (model order); the map groups them by module.
    void setLayers(const QList<AuditLayer>& layers, int firstFailingRow = -1);
    int layerCount() const { return static_cast<int>(m_layers.size()); }

    QColor cellColor(int sourceRow) const;  // fill of the row's cell
    QRect cellRect(int sourceRow) const;    // in widget coordinates; empty when not drawn
    int rowAt(const QPoint& pos) const;     // -1 off the cells
    QString cellToolTip(int sourceRow) const;
    int selectedRow() const { return m_selected; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void setSelectedRow(int sourceRow);  // outlined in the highlight colour; -1 none

Q_SIGNALS:
    void layerClicked(int sourceRow);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    struct Line {
        QString module;
        int firstRow{0}, count{0};
    };
    struct Geometry {
        int labelWidth{0}, cellWidth{0}, perLine{1}, height{0};
    };
    struct LegendItem {
        QColor fill;
        bool outlined{false};
        QString label;
    };
    Geometry geometryFor(int width) const;
    void layout();
    QList<LegendItem> legend() const;
    int legendLines(int width, const std::function<void(const LegendItem&, int, int)>& place = {}) const;
    void drawLegend(QPainter& p, int top) const;

    QList<AuditLayer> m_layers;
    QList<Line> m_lines;  // one per module
    QList<QRect> m_cells;  // per source row
    int m_firstFailing{-1};
    int m_selected{-1};
    int m_hovered{-1};
};

}  // namespace studio::ui
