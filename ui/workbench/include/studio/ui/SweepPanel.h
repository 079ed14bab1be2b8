#pragma once
// The studio's Sweep view: runs a precision sweep on its own thread (progress, ETA, cancel),
// shows a sortable table per configuration and bar charts of time and PSNR, exports CSV /
// Markdown / PNG, and hands a clicked row's cached runs (the configuration and its fp32
// reference, same seed) to the compare view without running anything again.
//
// Threading: start() runs the injected SweepRunFn on a QtConcurrent thread; its callbacks are
// posted back to this widget's thread; cancel() sets the job's CancelToken.
#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <map>

#include "studio/Generation.h"
#include "studio/SweepRunner.h"
#include "studio/ui/GenerationWorker.h"  // RunResult as a meta type

class QChartView;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace studio::ui {

using SweepRunFn = std::function<SweepResults(const SweepRequest&, const SweepCallbacks&, const CancelToken&)>;

class SweepPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { Config, TimeImage, Encode, Sample, Decode, Memory, Psnr, Ssim, MaxAbs, MeanAbs, Divergence, Accuracy, Findings, ColumnCount };

    explicit SweepPanel(QWidget* parent = nullptr);
    ~SweepPanel() override;

    void setRunner(SweepRunFn runner) { m_runner = std::move(runner); }
    bool start(const SweepRequest& request);  // false when running already or without a runner
    void cancel();
    bool isRunning() const;

    void setResults(const SweepResults& results);
    const SweepResults& results() const { return m_results; }
    QTableWidget* table() const { return m_table; }
    QChartView* timeChart() const { return m_timeChart; }
    QChartView* psnrChart() const { return m_psnrChart; }
    QString progressText() const;

    void exportCsv(const QString& path) const;       // throw ExportError
    void exportMarkdown(const QString& path) const;
    void exportPlot(const QString& path) const;       // the charts as PNG

    // The cached first runs of a configuration and of the reference for the first seed that has
    // both; false when not cached (e.g. rows read back from a file).
    bool cachedPair(const QString& config, RunResult& reference, RunResult& run) const;

Q_SIGNALS:
    void compareRequested(studio::RunResult reference, studio::RunResult run);
    void sweepFinished(bool complete);

private:
    void onProgress(const SweepProgress& p);
    void rebuildChart();
    void activateRow(int row);
    void chooseExport();

    SweepRunFn m_runner;
    SweepResults m_results;
    CancelToken m_cancel;
    QFutureWatcher<void>* m_watcher{nullptr};
    std::map<std::pair<std::string, uint64_t>, RunResult> m_cache;  // (config, seed) of prompt 0
    QString m_error;

    QLabel* m_status{nullptr};
    QProgressBar* m_progress{nullptr};
    QPushButton* m_cancelButton{nullptr};
    QPushButton* m_exportButton{nullptr};
    QTableWidget* m_table{nullptr};
    QWidget* m_plots{nullptr};
    QChartView* m_timeChart{nullptr};
    QChartView* m_psnrChart{nullptr};
};

}  // namespace studio::ui
