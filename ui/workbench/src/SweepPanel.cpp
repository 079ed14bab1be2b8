#include "studio/ui/SweepPanel.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QMenu>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <tuple>

#include "studio/Errors.h"

namespace studio::ui {

namespace {
QString duration(double s) {
    if (s < 0) return QStringLiteral("?");
    if (s < 90) return QStringLiteral("%1 s").arg(s, 0, 'f', 0);
    return QStringLiteral("%1m%2s").arg(static_cast<int>(s) / 60).arg(static_cast<int>(s) % 60, 2, 10, QLatin1Char('0'));
}

// Sorts by the number behind the text (inf above every finite PSNR).
class NumberItem : public QTableWidgetItem {
public:
    bool operator<(const QTableWidgetItem& other) const override {
        const QVariant a = data(Qt::UserRole), b = other.data(Qt::UserRole);
        if (a.isValid() && b.isValid()) return a.toDouble() < b.toDouble();
        return QTableWidgetItem::operator<(other);
    }
};

QTableWidgetItem* cell(double v, const QString& text) {
    auto* item = new NumberItem;
    item->setData(Qt::DisplayRole, text);
    item->setData(Qt::UserRole, std::isinf(v) ? (v > 0 ? 1e300 : -1e300) : v);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

void writeFile(const QString& path, const std::string& text) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.data(), static_cast<qint64>(text.size())) < 0)
        throw ExportError("cannot write '" + path.toStdString() + "': " + f.errorString().toStdString());
}
}  // namespace

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
    m_status = new QLabel(tr("No sweep yet: Run > Precision sweep…"), this);
    m_status->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setEnabled(false);
    m_exportButton = new QPushButton(tr("Export…"), this);
    m_exportButton->setEnabled(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &SweepPanel::cancel);
    connect(m_exportButton, &QPushButton::clicked, this, &SweepPanel::chooseExport);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("sweepTable"));
    m_table->setHorizontalHeaderLabels({tr("Precision"), tr("Time / image"), tr("Encode"), tr("Sample"), tr("Decode"),
                                        tr("Peak memory"), tr("PSNR"), tr("SSIM"), tr("Max |Δ|"), tr("Mean |Δ|"),
                                        tr("Latent div."), tr("Accuracy"), tr("Findings")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Click a row to compare it (B) with the fp32 reference (A)"));
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) { activateRow(row); });

    auto makeChart = [this](const QString& name) {
        auto* view = new QChartView(new QChart, this);
        view->setObjectName(name);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(200);
        view->chart()->legend()->setAlignment(Qt::AlignBottom);
        return view;
    };
    m_plots = new QWidget(this);
    m_timeChart = makeChart(QStringLiteral("sweepTimeChart"));
    m_psnrChart = makeChart(QStringLiteral("sweepPsnrChart"));
    auto* plotRow = new QHBoxLayout(m_plots);
    plotRow->setContentsMargins(0, 0, 0, 0);
    plotRow->addWidget(m_timeChart);
    plotRow->addWidget(m_psnrChart);

    auto* top = new QHBoxLayout;
    top->addWidget(m_progress, 1);
    top->addWidget(m_cancelButton);
    top->addWidget(m_exportButton);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_plots);
    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(6, 6, 6, 6);
    col->addWidget(m_status);
    col->addLayout(top);
    col->addWidget(split, 1);

    m_watcher = new QFutureWatcher<void>(this);
    connect(m_watcher, &QFutureWatcher<void>::finished, this, [this] {
        m_cancelButton->setEnabled(false);
        m_progress->setVisible(false);
        if (!m_error.isEmpty()) m_status->setText(m_error);
        else if (!m_results.complete) m_status->setText(tr("Sweep cancelled; %1 rows kept.").arg(m_results.rows.size()));
        else m_status->setText(tr("Sweep done: %1 configurations. Click a row to compare it with the fp32 reference.")
                                   .arg(m_results.configs.size()));
        Q_EMIT sweepFinished(m_results.complete);
    });
    rebuildChart();
}

SweepPanel::~SweepPanel() {
    m_cancel.cancel();
    m_watcher->waitForFinished();
}

bool SweepPanel::isRunning() const { return m_watcher->isRunning(); }

bool SweepPanel::start(const SweepRequest& request) {
    if (!m_runner || isRunning()) return false;
    m_cancel = CancelToken{};
    m_cache.clear();
    m_error.clear();
    setResults(SweepResults{});
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancelButton->setEnabled(true);
    m_status->setText(tr("Sweep starting…"));
    QPointer<SweepPanel> self(this);
    SweepCallbacks cb;
    // Posted to the UI thread; the copies travel by value.
    cb.on_progress = [self](const SweepProgress& p) {
        QMetaObject::invokeMethod(self, [self, p] { if (self) self->onProgress(p); }, Qt::QueuedConnection);
    };
    cb.on_update = [self](const SweepResults& r) {
        QMetaObject::invokeMethod(self, [self, r] { if (self) self->setResults(r); }, Qt::QueuedConnection);
    };
    cb.on_run = [self](const SweepRow& row, const RunResult& run) {
        if (row.prompt_index != 0) return;
        QMetaObject::invokeMethod(self, [self, row, run] {
            if (self) self->m_cache[{row.config, row.seed}] = run;
        }, Qt::QueuedConnection);
    };
    const SweepRunFn runner = m_runner;
    const CancelToken cancel = m_cancel;
    m_watcher->setFuture(QtConcurrent::run([self, runner, request, cb, cancel] {
        QString error;
        try {
            runner(request, cb, cancel);
        } catch (const CancelledError&) {
        } catch (const std::exception& e) {
            error = QObject::tr("Sweep failed: %1").arg(QString::fromStdString(e.what()));
        }
        QMetaObject::invokeMethod(self, [self, error] { if (self) self->m_error = error; }, Qt::QueuedConnection);
    }));
    return true;
}

void SweepPanel::cancel() { m_cancel.cancel(); }

void SweepPanel::onProgress(const SweepProgress& p) {
    m_progress->setRange(0, std::max(1, p.total));
    m_progress->setValue(p.done);
    m_status->setText(tr("%1/%2 images · %3 %4 · %5 elapsed · ETA %6")
                          .arg(p.done).arg(p.total).arg(QString::fromStdString(p.config), QString::fromStdString(p.what),
                                                         duration(p.elapsed_s), duration(p.eta_s)));
}

QString SweepPanel::progressText() const { return m_status->text(); }

void SweepPanel::setResults(const SweepResults& results) {
    m_results = results;
    m_table->setSortingEnabled(false);
    const auto summaries = summarize(results);
    m_table->setRowCount(static_cast<int>(summaries.size()));
    for (int r = 0; r < static_cast<int>(summaries.size()); ++r) {
        const auto& s = summaries[static_cast<size_t>(r)];
        const bool ref = s.config == "fp32";
        auto* name = new QTableWidgetItem(QString::fromStdString(s.config) + (ref ? tr(" (reference)") : QString()));
        name->setData(Qt::UserRole + 1, QString::fromStdString(s.config));
        m_table->setItem(r, Config, name);
        m_table->setItem(r, TimeImage, cell(s.image_s, QStringLiteral("%1 s").arg(s.image_s, 0, 'f', 2)));
        m_table->setItem(r, Encode, cell(s.encode_s, QStringLiteral("%1 s").arg(s.encode_s, 0, 'f', 2)));
        m_table->setItem(r, Sample, cell(s.sample_s, QStringLiteral("%1 s").arg(s.sample_s, 0, 'f', 2)));
        m_table->setItem(r, Decode, cell(s.decode_s, QStringLiteral("%1 s").arg(s.decode_s, 0, 'f', 2)));
        auto* mem = cell(static_cast<double>(s.peak_memory_bytes), QStringLiteral("%1 MiB").arg(s.peak_memory_bytes / 1048576.0, 0, 'f', 0));
        mem->setToolTip(QString::fromStdString(s.memory_kind));
        m_table->setItem(r, Memory, mem);
        m_table->setItem(r, Psnr, cell(s.psnr, std::isinf(s.psnr) ? QStringLiteral("∞") : QStringLiteral("%1 dB").arg(s.psnr, 0, 'f', 2)));
        m_table->setItem(r, Ssim, cell(s.ssim, QString::number(s.ssim, 'f', 4)));
        m_table->setItem(r, MaxAbs, cell(s.max_abs, QString::number(s.max_abs, 'g', 3)));
        m_table->setItem(r, MeanAbs, cell(s.mean_abs, QString::number(s.mean_abs, 'g', 3)));
        m_table->setItem(r, Divergence, cell(s.final_latent_divergence, QString::number(s.final_latent_divergence, 'g', 3)));
        const SweepAccuracy* acc = results.find_accuracy(s.config);
        double mean = 0;
        int n = 0;
        if (acc)
            for (const char* a : {"hair", "eyes", "expression", "background"})
                if (acc->accuracy(a) >= 0) mean += acc->accuracy(a), ++n;
        m_table->setItem(r, Accuracy, n ? cell(mean / n, QStringLiteral("%1 %").arg(100 * mean / n, 0, 'f', 1)) : cell(-1, QStringLiteral("—")));
        QStringList findings;
        for (const auto& f : s.findings) findings << QString::fromStdString(f);
        m_table->setItem(r, Findings, new QTableWidgetItem(findings.isEmpty() ? QStringLiteral("—") : findings.join(QStringLiteral("; "))));
    }
    m_table->setSortingEnabled(true);
    m_exportButton->setEnabled(!summaries.empty());
    rebuildChart();
}

void SweepPanel::rebuildChart() {
    const auto summaries = summarize(m_results);
    QStringList names;
    for (const auto& s : summaries) names.prepend(QString::fromStdString(s.config));  // top to bottom in table order

    QChart* time = m_timeChart->chart();
    time->removeAllSeries();
    for (auto* axis : time->axes()) time->removeAxis(axis);
    time->setTitle(tr("Time per image (s)"));
    auto* stacked = new QHorizontalStackedBarSeries;
    auto* enc = new QBarSet(tr("encode")), *smp = new QBarSet(tr("sample")), *dec = new QBarSet(tr("decode"));
    for (auto it = summaries.rbegin(); it != summaries.rend(); ++it) *enc << it->encode_s, *smp << it->sample_s, *dec << it->decode_s;
    stacked->append({enc, smp, dec});
    time->addSeries(stacked);

    QChart* psnr = m_psnrChart->chart();
    psnr->removeAllSeries();
    for (auto* axis : psnr->axes()) psnr->removeAxis(axis);
    psnr->setTitle(tr("PSNR vs fp32 (dB; reference not drawn)"));
    auto* bars = new QHorizontalBarSeries;
    auto* set = new QBarSet(tr("PSNR"));
    double top = 0;
    for (auto it = summaries.rbegin(); it != summaries.rend(); ++it) {
        const double v = std::isfinite(it->psnr) ? it->psnr : 0.0;
        *set << v;
        top = std::max(top, v);
    }
    bars->append(set);
    psnr->addSeries(bars);

    for (auto [chart, series, maxValue] : {std::tuple<QChart*, QAbstractBarSeries*, double>{time, stacked, 0.0},
                                           {psnr, bars, top}}) {
        auto* cats = new QBarCategoryAxis;
        cats->append(names);
        chart->addAxis(cats, Qt::AlignLeft);
        series->attachAxis(cats);
        auto* values = new QValueAxis;
        values->setLabelFormat(QStringLiteral("%.1f"));
        chart->addAxis(values, Qt::AlignBottom);
        series->attachAxis(values);
        if (maxValue > 0) values->setRange(0, maxValue * 1.05);
    }
}

bool SweepPanel::cachedPair(const QString& config, RunResult& reference, RunResult& run) const {
    for (uint64_t seed : m_results.settings.seeds) {
        auto r = m_cache.find({"fp32", seed});
        auto c = m_cache.find({config.toStdString(), seed});
        if (r != m_cache.end() && c != m_cache.end()) {
            reference = r->second;
            run = c->second;
            return true;
        }
    }
    return false;
}

void SweepPanel::activateRow(int row) {
    const QTableWidgetItem* item = m_table->item(row, Config);
    if (!item) return;
    RunResult reference, run;
    if (cachedPair(item->data(Qt::UserRole + 1).toString(), reference, run)) Q_EMIT compareRequested(reference, run);
}

void SweepPanel::exportCsv(const QString& path) const { writeFile(path, sweep_csv(m_results)); }

void SweepPanel::exportMarkdown(const QString& path) const { writeFile(path, sweep_markdown(m_results)); }

void SweepPanel::exportPlot(const QString& path) const {
    if (!m_plots->grab().save(path, "PNG")) throw ExportError("cannot write '" + path.toStdString() + "'");
}

void SweepPanel::chooseExport() {
    QMenu menu(this);
    auto* csv = menu.addAction(tr("Table as CSV…"));
    auto* md = menu.addAction(tr("Table as Markdown…"));
    menu.addAction(tr("Plots as PNG…"));
    QAction* chosen = menu.exec(m_exportButton->mapToGlobal(QPoint(0, m_exportButton->height())));
    if (!chosen) return;
    const QString filter = chosen == csv ? tr("CSV (*.csv)") : chosen == md ? tr("Markdown (*.md)") : tr("PNG (*.png)");
    const QString path = QFileDialog::getSaveFileName(this, chosen->text(), QString(), filter);
    if (path.isEmpty()) return;
    try {
        if (chosen == csv) exportCsv(path);
        else if (chosen == md) exportMarkdown(path);
        else exportPlot(path);
    } catch (const std::exception& e) {
        m_status->setText(tr("Export failed: %1").arg(QString::fromStdString(e.what())));
    }
}

}  // namespace studio::ui
