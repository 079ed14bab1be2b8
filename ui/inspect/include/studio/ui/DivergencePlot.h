#pragma once
// Divergence of run B from run A over the sampler steps (relative L2 of the latent and of the
// predicted velocity), as two lines on a log scale: where a reduced precision leaves the fp32
// trajectory. Qt Charts; plain values in, no pipeline types.
#include <QList>
#include <QWidget>

class QLabel;
class QChart;
class QChartView;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace studio::ui {

struct DivergencePoint {
    int step{0};
    double latent{0};    // |x_A - x_B| / |x_A|; NaN / <= 0 are not drawn (log scale)
    double velocity{0};  // |v_A - v_B| / |v_A|
};

class DivergencePlot : public QWidget {
    Q_OBJECT
public:
    explicit DivergencePlot(QWidget* parent = nullptr);

    // Empty = nothing to show (the note says why).
    void setDivergence(const QList<DivergencePoint>& points, const QString& note = {});
    const QList<DivergencePoint>& points() const { return m_points; }
    int drawnPoints() const;  // points on the chart (both lines), for tests
    QChartView* chartView() const { return m_view; }
    QString note() const;

private:
    QList<DivergencePoint> m_points;
    QChart* m_chart{nullptr};
    QChartView* m_view{nullptr};
    QLineSeries* m_latent{nullptr};
    QLineSeries* m_velocity{nullptr};
    QValueAxis* m_steps{nullptr};
    QLogValueAxis* m_log{nullptr};
    QLabel* m_note{nullptr};
};

}  // namespace studio::ui
