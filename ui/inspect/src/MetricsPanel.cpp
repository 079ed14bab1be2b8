#include "studio/ui/MetricsPanel.h"

#include "studio/ui/DivergencePlot.h"

#include <QDoubleSpinBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

#include "studio/ui/ReportHtml.h"

namespace studio::ui {

namespace {

enum RowIndex { RowPsnr, RowSsim, RowMax, RowMaxAt, RowMean, RowRmse, RowOver, RowPixels, RowNonfinite, RowCount };
constexpr int kVisibleDebounceMs = 150;

QString small(double v)
{
    if (v == 0.0) return QStringLiteral("0");
    if (!std::isfinite(v)) return QString::number(v);
    return std::abs(v) >= 1e-3 ? QString::number(v, 'f', 5) : QString::number(v, 'e', 2);
}

bool darkPalette(const QPalette& pal) { return pal.color(QPalette::Window).lightness() < 128; }

}  // namespace

MetricsPanel::MetricsPanel(QWidget* parent) : QWidget(parent)
{
    auto* thresholdRow = new QHBoxLayout;
    auto* thresholdLabel = new QLabel(tr("Threshold |A−B| >"), this);
    m_thresholdSpin = new QDoubleSpinBox(this);
    m_thresholdSpin->setRange(0.0, 1.0);
    m_thresholdSpin->setDecimals(5);
    m_thresholdSpin->setSingleStep(1.0 / 255);
    m_thresholdSpin->setValue(m_threshold);
    m_thresholdSpin->setToolTip(tr("A pixel counts as over when its largest channel difference exceeds this"));
    m_thresholdHint = new QLabel(this);
    m_thresholdHint->setForegroundRole(QPalette::PlaceholderText);
    thresholdRow->addWidget(thresholdLabel);
    thresholdRow->addWidget(m_thresholdSpin);
    thresholdRow->addWidget(m_thresholdHint, 1);
    connect(m_thresholdSpin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &MetricsPanel::setThreshold);

    m_table = new QTableWidget(RowCount, 3, this);
    m_table->setHorizontalHeaderLabels({tr("Image"), tr("Visible"), tr("ROI")});
    m_table->setVerticalHeaderLabels({tr("PSNR"), tr("SSIM"), tr("Max |A−B|"), tr("  at (x, y)"), tr("Mean |A−B|"),
                                      tr("RMSE"), tr("Over threshold"), tr("Pixels"), tr("Non-finite")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::ContiguousSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() +
                            RowCount * m_table->verticalHeader()->defaultSectionSize() + 2 * m_table->frameWidth());
    for (int r = 0; r < RowCount; ++r)
        for (int c = 0; c < 3; ++c) {
            auto* item = new QTableWidgetItem(QStringLiteral("—"));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, c, item);
        }

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_reports = new QTextBrowser(this);
    m_reports->setOpenLinks(false);

    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(6, 6, 6, 6);
    col->addLayout(thresholdRow);
    col->addWidget(m_table);
    col->addWidget(m_status);
    m_divergence = new DivergencePlot(this);
    m_divergence->setObjectName(QStringLiteral("divergencePlot"));
    col->addWidget(m_divergence, 1);
    col->addWidget(m_reports, 1);

    for (size_t i = 0; i < 3; ++i) {
        const auto scope = static_cast<Scope>(i);
        m_timers[i] = new QTimer(this);
        m_timers[i]->setSingleShot(true);
        connect(m_timers[i], &QTimer::timeout, this, [this, scope] { start(scope); });
        m_watchers[i] = new QFutureWatcher<Outcome>(this);
        connect(m_watchers[i], &QFutureWatcher<Outcome>::finished, this,
                [this, i, scope] {
                    m_inFlight[i] = false;
                    finish(scope, m_watchers[i]->result());
                });
    }
    setThreshold(m_threshold);
    renderReports();
}

MetricsPanel::~MetricsPanel()
{
    // Jobs hold their own image copies; waiting only keeps a finished() from a dead panel.
    for (auto* w : m_watchers) {
        w->disconnect(this);
        w->waitForFinished();
    }
}

void MetricsPanel::setImages(const ImageF& a, const ImageF& b) { setImages(shareImage(a), shareImage(b)); }

void MetricsPanel::setImages(ImagePtr a, ImagePtr b)
{
    m_a = std::move(a);
    m_b = std::move(b);
    for (Scope s : {Scope::Whole, Scope::Visible, Scope::Roi}) {
        m_results[static_cast<size_t>(s)].reset();
        showScope(s);
        schedule(s, 0);
    }
}

void MetricsPanel::setLabels(const QString& a, const QString& b)
{
    m_labelA = a;
    m_labelB = b;
    renderReports();
}

void MetricsPanel::setThreshold(double threshold)
{
    if (!std::isfinite(threshold) || threshold < 0) return;
    const bool changed = threshold != m_threshold;
    m_threshold = threshold;
    {
        const QSignalBlocker block(m_thresholdSpin);
        m_thresholdSpin->setValue(threshold);
    }
    m_thresholdHint->setText(tr("≈ %1 / 255").arg(threshold * 255.0, 0, 'f', 2));
    if (changed)
        for (Scope s : {Scope::Whole, Scope::Visible, Scope::Roi}) schedule(s, 0);
}

void MetricsPanel::setVisibleRegion(const QRect& imageRect)
{
    if (imageRect == m_visible) return;
    m_visible = imageRect;
    schedule(Scope::Visible, kVisibleDebounceMs);
}

void MetricsPanel::setRoi(const QRect& imageRect)
{
    const QRect r = imageRect.isValid() ? imageRect : QRect();
    if (r == m_roi) return;
    m_roi = r;
    m_results[static_cast<size_t>(Scope::Roi)].reset();
    showScope(Scope::Roi);
    schedule(Scope::Roi, 0);
}

bool MetricsPanel::pending(Scope scope) const
{
    const auto i = static_cast<size_t>(scope);
    if (scope == Scope::Visible && m_visibleAwaitsWhole == m_generation[i]) return true;
    return m_timers[i]->isActive() || m_inFlight[i];
}

bool MetricsPanel::isBusy() const
{
    return pending(Scope::Whole) || pending(Scope::Visible) || pending(Scope::Roi);
}

void MetricsPanel::schedule(Scope scope, int delayMs)
{
    const auto i = static_cast<size_t>(scope);
    ++m_generation[i];  // anything still running for this scope is now stale
    m_timers[i]->start(delayMs);
    m_status->setText(tr("Computing…"));
}

MetricsPanel::Outcome MetricsPanel::run(const Job& job)
{
    Outcome out;
    try {
        const PixelRect r{job.region.x(), job.region.y(), job.region.width(), job.region.height()};
        out.metrics = compare_images(*job.a, *job.b, job.threshold, job.region.isNull() ? nullptr : &r);
    } catch (const std::exception& e) {
        out.error = QString::fromUtf8(e.what());
    }
    return out;
}

void MetricsPanel::start(Scope scope)
{
    const auto i = static_cast<size_t>(scope);
    const quint64 generation = m_generation[i];
    if (!m_a || !m_b) {
        finish(scope, {generation, {}, {}});
        return;
    }
    Job job{m_a, m_b, m_threshold, {}};
    if (scope != Scope::Whole) {
        const QRect full(0, 0, m_a->width, m_a->height);
        job.region = (scope == Scope::Roi ? m_roi : m_visible).intersected(full);
        if (job.region.isEmpty()) {
            finish(scope, {generation, {}, {}});
            return;
        }
        if (scope == Scope::Visible && job.region == full) {  // fitted view: same numbers as the whole image
            if (pending(Scope::Whole))
                m_visibleAwaitsWhole = generation;
            else
                finish(scope, {generation, m_results[0], {}});
            return;
        }
    }
    if (static_cast<qint64>(m_a->width) * m_a->height <= m_asyncPixels) {
        Outcome out = run(job);
        out.generation = generation;
        finish(scope, out);
        return;
    }
    m_inFlight[i] = true;
    m_watchers[i]->setFuture(QtConcurrent::run([job, generation] {
        Outcome out = run(job);
        out.generation = generation;
        return out;
    }));
}

void MetricsPanel::finish(Scope scope, const Outcome& outcome)
{
    const auto i = static_cast<size_t>(scope);
    if (outcome.generation != m_generation[i]) return;  // superseded while running
    m_results[i] = outcome.metrics;
    if (scope == Scope::Whole || !outcome.error.isEmpty()) m_error = outcome.error;
    showScope(scope);
    if (scope == Scope::Whole && m_visibleAwaitsWhole == m_generation[1]) {
        m_visibleAwaitsWhole = 0;
        m_results[1] = outcome.metrics;
        showScope(Scope::Visible);
    }
    if (!isBusy()) {
        const QString red = darkPalette(palette()) ? QStringLiteral("#ff6b6b") : QStringLiteral("#c62828");
        if (!m_error.isEmpty())
            m_status->setText(QStringLiteral("<span style='color:%1'>%2</span>").arg(red, m_error.toHtmlEscaped()));
        else if (!m_a || !m_b)
            m_status->setText(tr("Metrics need both A and B."));
        else if (!m_roi.isValid())
            m_status->setText(tr("Shift+drag on the image to draw a region of interest."));
        else
            m_status->clear();
    }
    Q_EMIT metricsUpdated();
}

void MetricsPanel::showScope(Scope scope)
{
    const int c = static_cast<int>(scope);
    const auto& m = m_results[static_cast<size_t>(scope)];
    auto set = [&](int row, const QString& text, bool bad = false) {
        QTableWidgetItem* item = m_table->item(row, c);
        item->setText(text);
        item->setForeground(bad ? QBrush(darkPalette(palette()) ? QColor(0xff6b6b) : QColor(0xc62828)) : QBrush());
    };
    if (!m) {
        for (int r = 0; r < RowCount; ++r) set(r, QStringLiteral("—"));
        return;
    }
    set(RowPsnr, std::isinf(m->psnr) ? tr("∞ (equal)") : QStringLiteral("%1 dB").arg(m->psnr, 0, 'f', 2));
    set(RowSsim, QString::number(m->ssim, 'f', 5));
    set(RowMax, small(m->max_abs));
    set(RowMaxAt, m->max_abs > 0 ? QStringLiteral("(%1, %2)").arg(m->max_x).arg(m->max_y) : QStringLiteral("—"));
    set(RowMean, small(m->mean_abs));
    set(RowRmse, small(m->rmse));
    set(RowOver, QStringLiteral("%1 %").arg(100.0 * m->fraction_over, 0, 'f', 2));
    set(RowPixels, QString::number(m->pixels));
    set(RowNonfinite, QString::number(m->nonfinite), m->nonfinite > 0);
    m_table->item(RowMax, c)->setToolTip(tr("%1 in 8-bit steps").arg(m->max_abs * 255.0, 0, 'f', 2));
}

void MetricsPanel::setReports(const QString& jsonA, const QString& jsonB)
{
    m_jsonA = jsonA;
    m_jsonB = jsonB;
    renderReports();
}

void MetricsPanel::renderReports()
{
    m_reportHtml = reportsToHtml(m_jsonA, m_jsonB, {darkPalette(palette()), m_labelA, m_labelB});
    m_reports->setHtml(m_reportHtml);
}

void MetricsPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        renderReports();
        for (Scope s : {Scope::Whole, Scope::Visible, Scope::Roi}) showScope(s);
    }
    QWidget::changeEvent(event);
}

}  // namespace studio::ui
