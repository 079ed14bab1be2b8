#pragma once
// The studio window. It only wires widgets together: prompt on the left, controls and
// precision columns on the right, the A/B inspection in the centre, job status and log
// at the bottom. Jobs go to a GenerationWorker owned by the caller.
#include <QMainWindow>
#include <QPointer>

#include <map>
#include <memory>
#include <optional>

#include "studio/Divergence.h"
#include "studio/ImageIO.h"
#include "studio/ui/ImageConvert.h"
#include "studio/ui/ImageExport.h"
#include "studio/ui/PrecisionPanel.h"
#include "studio/ui/PromptPanel.h"
#include "studio/ui/SweepDialog.h"
#include "studio/ui/SweepPanel.h"

class QAction;
class QSettings;
class QSplitter;
class QTabWidget;

namespace studio {
class TagDatabase;
}

namespace studio::ui {

class AuditPanel;
class CompareView;
class ErrorBanner;
class GenerationControls;
class GenerationWorker;
class HistoryStrip;
class JobStatusBar;
class LogPanel;
class MetricsPanel;
class PixelReadout;

struct WorkbenchOptions {
    GenerationWorker* worker{nullptr};          // where jobs run; null = no backend (runs report an error)
    TokenCounter tokenCounter;                  // optional: the token count label stays hidden without it
    std::shared_ptr<const TagDatabase> tags;    // optional: completion and tag lint
    bool cudaAvailable{false};
    QString settingsPath;                       // INI file; empty = the platform's default settings
    QString dataDir;                            // autosave folder; empty = the user's data folder
    PrecisionConfig defaultPrecisionA{PrecisionConfig::all_fp32()};  // e.g. with NEWBIE_DTYPE applied
    QString defaultModelDir;                    // used when no model folder was remembered
    SweepRunFn sweepRunner;                     // optional: precision sweeps (own thread, own pipeline)
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kMaxRunsKept = 24;  // finished runs kept in memory for the history

    explicit MainWindow(WorkbenchOptions options, QWidget* parent = nullptr);
    ~MainWindow() override;

    // True when the last session's prompt was restored; false on a first start.
    bool restoredSession() const { return m_restored; }
    void loadExamplePrompt();

    // Queue jobs. Return the job ids (empty when the prompt check or the setup blocked it).
    int runColumn(PrecisionPanel::Column column);
    QList<int> compare();  // A then B with one seed
    // Starts a precision sweep with the current prompt and settings; false when blocked.
    bool runSweep(const SweepChoice& choice);
    void cancelJobs();

    // Export the shown images; shows an error dialog and returns false on failure.
    bool exportTo(ExportKind kind, const QString& path, ImageFormat format);
    // Show an image in a column and its metadata. In A, the settings and prompt it carries are
    // restored (a foreign record: only what maps cleanly, said plainly); in B, only its precision.
    // False when nothing was restored.
    bool openImage(const QString& path, PrecisionPanel::Column column = PrecisionPanel::A);

    void saveSettings();
    QSettings& settings() { return *m_settings; }
    void setPlainTextConfirmation(std::function<bool(const QString&)> confirm);

    PromptPanel* promptPanel() const { return m_prompt; }
    GenerationControls* controls() const { return m_controls; }
    PrecisionPanel* precisionPanel() const { return m_precision; }
    CompareView* compareView() const { return m_compare; }
    PixelReadout* pixelReadout() const { return m_readout; }
    MetricsPanel* metricsPanel() const { return m_metrics; }
    HistoryStrip* historyStrip() const { return m_history; }
    JobStatusBar* jobStatus() const { return m_status; }
    LogPanel* logPanel() const { return m_log; }
    AuditPanel* auditPanel() const { return m_audit; }
    QTabWidget* centreTabs() const { return m_centreTabs; }
    ErrorBanner* errorBanner() const { return m_banner; }
    QSplitter* mainSplitter() const { return m_mainSplitter; }
    QSplitter* centreSplitter() const { return m_centreSplitter; }
    QTabWidget* sideTabs() const { return m_sideTabs; }
    SweepPanel* sweepPanel() const { return m_sweep; }
    QList<QAction*> shortcutActions() const;
    QAction* action(const QString& objectName) const;

    ExportInputs exportInputs() const;
    std::optional<RunReport> shownReport(PrecisionPanel::Column column) const;

Q_SIGNALS:
    void runShown(const QString& runId, int column);
    void jobsIdle();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct RunRecord {
        QString id;
        ImagePtr image;
        RunReport report;
        bool hasReport{false};  // false for images opened without readable provenance
        QString label;  // "fp32 · seed 42" or the file name; the view adds "A: " / "B: "
        std::shared_ptr<const StepTrajectory> trajectory;  // runs of this session only
    };

    // MainWindow.cpp: layout and settings
    void buildUi();
    QWidget* buildRightPanel();
    QWidget* buildCentre();
    void restoreSettings();
    void connectWidgets();
    // MainWindowActions.cpp: menus, shortcuts, export, open
    void buildActions();
    QAction* addAction(QMenu* menu, const QString& name, const QString& text, const QKeySequence& key,
                       std::function<void()> slot);
    void exportWithDialog(ExportKind kind);
    void openWithDialog();
    void showShortcuts();
    void showAbout();
    void showError(const QString& title, const QString& message);
    // MainWindowRuns.cpp: jobs and results
    void connectWorker();
    // Everything of a job from the widgets; nullopt (with the reason shown) when it cannot run.
    std::optional<GenerationParams> prepareParams(PrecisionPanel::Column column);
    int enqueue(const GenerationParams& params, const QString& tag);
    void onJobFinished(int jobId, const RunResult& result);
    void showRun(const QString& id, PrecisionPanel::Column column);
    void refreshShown();
    void showDivergence(const RunRecord* a, const RunRecord* b);  // into the Metrics tab
    // MainWindowSweep.cpp: the Sweep tab
    void sweepWithDialog();
    void showSweepPair(const RunResult& reference, const RunResult& run);  // as A / B, from the cache
    QString addRunRecord(const QString& id, const QString& tag, const RunResult& result);
    void forgetOldRuns();
    QString precisionLabel(const PrecisionConfig& config) const;  // "fp32", "Mixed", "fp32/bf16/bf16/bf16"

    WorkbenchOptions m_options;
    std::unique_ptr<QSettings> m_settings;
    bool m_restored{false};

    PromptPanel* m_prompt{nullptr};
    GenerationControls* m_controls{nullptr};
    PrecisionPanel* m_precision{nullptr};
    CompareView* m_compare{nullptr};
    PixelReadout* m_readout{nullptr};
    MetricsPanel* m_metrics{nullptr};
    SweepPanel* m_sweep{nullptr};
    HistoryStrip* m_history{nullptr};
    JobStatusBar* m_status{nullptr};
    LogPanel* m_log{nullptr};
    AuditPanel* m_audit{nullptr};
    QTabWidget* m_centreTabs{nullptr};
    ErrorBanner* m_banner{nullptr};
    QSplitter* m_mainSplitter{nullptr};
    QSplitter* m_centreSplitter{nullptr};
    QSplitter* m_verticalSplitter{nullptr};
    QTabWidget* m_sideTabs{nullptr};  // Generate | Metrics
    QPointer<GenerationWorker> m_worker;

    std::map<QString, RunRecord> m_runs;
    QStringList m_runOrder;  // oldest first
    std::vector<StepDivergence> m_divergence;  // of the shown B from the shown A
    QString m_shownA, m_shownB;
    QList<QAction*> m_actions;
};

}  // namespace studio::ui
