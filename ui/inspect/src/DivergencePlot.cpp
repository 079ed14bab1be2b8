#include "studio/ui/DivergencePlot.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace studio::ui {

DivergencePlot::DivergencePlot(QWidget* parent) : QWidget(parent) {
    m_chart = new QChart;
    m_chart->setTitle(tr("B's distance from A per sampler step"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_latent = new QLineSeries;
    m_latent->setName(tr("latent |x_A - x_B| / |x_A|"));
    m_velocity = new QLineSeries;
    m_velocity->setName(tr("velocity |v_A - v_B| / |v_A|"));
    m_chart->addSeries(m_latent);
    m_chart->addSeries(m_velocity);
    m_steps = new QValueAxis;
    m_steps->setTitleText(tr("step"));
    m_steps->setLabelFormat(QStringLiteral("%d"));
    m_log = new QLogValueAxis;
    m_log->setBase(10);
    m_log->setLabelFormat(QStringLiteral("%.0e"));
    m_log->setTitleText(tr("relative distance"));
    m_chart->addAxis(m_steps, Qt::AlignBottom);
    m_chart->addAxis(m_log, Qt::AlignLeft);
    for (auto* s : {m_latent, m_velocity}) {
        s->attachAxis(m_steps);
        s->attachAxis(m_log);
        s->setPointsVisible(true);
    }
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(120);  // fits beside the numbers in a 1280x800 window
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setAlignment(Qt::AlignLeft | Qt::AlignTop);  // alone (no chart) it takes the plot's room
    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(0, 0, 0, 0);
    col->addWidget(m_view, 1);
    col->addWidget(m_note);
    setDivergence({});
}

void DivergencePlot::setDivergence(const QList<DivergencePoint>& points, const QString& note) {
    m_points = points;
    QList<QPointF> latent, velocity;
    double lo = INFINITY, hi = 0;
    // A log axis cannot show 0 or NaN: such steps are left out and said so.
    int identical = 0, firstNonfinite = -1;
    for (const auto& p : points) {
        if (std::isfinite(p.latent) && p.latent > 0) latent << QPointF(p.step, p.latent);
        else if (p.latent == 0) ++identical;
        if ((!std::isfinite(p.latent) || !std::isfinite(p.velocity)) && firstNonfinite < 0) firstNonfinite = p.step;
        if (std::isfinite(p.velocity) && p.velocity > 0) velocity << QPointF(p.step, p.velocity);
        for (double v : {p.latent, p.velocity})
            if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    m_latent->replace(latent);
    m_velocity->replace(velocity);
    const int last = std::max(2, points.isEmpty() ? 2 : points.back().step);
    m_steps->setRange(1, last);
    // Whole steps only: ticks on multiples of a round interval.
    m_steps->setTickType(QValueAxis::TicksDynamic);
    m_steps->setTickAnchor(0);
    m_steps->setTickInterval(std::max(1, (last + 9) / 10));
    if (hi > 0) m_log->setRange(std::pow(10.0, std::floor(std::log10(lo))), std::pow(10.0, std::ceil(std::log10(hi)) + 1e-9));
    else m_log->setRange(1e-6, 1);
    QString text = note;
    if (text.isEmpty() && points.isEmpty()) text = tr("Run a compare (A and B) to see the divergence per step.");
    if (text.isEmpty() && identical == points.size()) text = tr("B followed A's trajectory exactly at every step.");
    else if (text.isEmpty() && identical > 0) text = tr("%n step(s) identical (not drawn on the log scale).", nullptr, identical);
    // A run that went NaN / Inf has no distance to draw from then on: say where it began.
    if (note.isEmpty() && firstNonfinite >= 0)
        text = tr("Not finite (NaN / Inf) from step %1 on: not drawn.").arg(firstNonfinite) +
               (text.isEmpty() ? QString() : QStringLiteral(" ") + text);
    m_note->setText(text);
    m_note->setVisible(!text.isEmpty());
    // Steps to show but none drawable (all NaN / Inf, or all identical): the note alone says it,
    // and the empty axes give their room to the panel.
    m_view->setVisible(points.isEmpty() || !latent.isEmpty() || !velocity.isEmpty());
}

int DivergencePlot::drawnPoints() const { return static_cast<int>(m_latent->count() + m_velocity->count()); }

QString DivergencePlot::note() const { return m_note->isHidden() ? QString() : m_note->text(); }

}  // namespace studio::ui
