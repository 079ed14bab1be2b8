#pragma once
// A/B difference statistics (PSNR, SSIM, max |A-B| with its location, mean |A-B|, RMSE,
// % pixels over an editable threshold) for the whole image, the visible region and the ROI,
// plus the two runs' reports side by side.
//
// Threading: compare_images runs on the global QThreadPool (QtConcurrent) for images larger
// than asyncPixelThreshold(), inline (but still after the event loop turns) for smaller ones.
// Jobs own shared copies of the images; results of superseded jobs are dropped. Visible-region
// changes are debounced so panning does not queue work per frame.
#include <QFutureWatcher>
#include <QRect>
#include <QWidget>

#include <array>
#include <optional>

#include "studio/Metrics.h"
#include "studio/ui/ImageConvert.h"

class QDoubleSpinBox;
class QLabel;
class QTableWidget;
class QTextBrowser;
class QTimer;

namespace studio::ui {

class DivergencePlot;

class MetricsPanel : public QWidget {
    Q_OBJECT
public:
    enum class Scope { Whole = 0, Visible = 1, Roi = 2 };

    explicit MetricsPanel(QWidget* parent = nullptr);
    ~MetricsPanel() override;

    void setImages(ImagePtr a, ImagePtr b);
    void setImages(const ImageF& a, const ImageF& b);
    void setLabels(const QString& a, const QString& b);
    void setThreshold(double threshold);  // |A-B| above which a pixel counts as "over"
    double threshold() const { return m_threshold; }
    void setAsyncPixelThreshold(qint64 pixels) { m_asyncPixels = pixels; }
    qint64 asyncPixelThreshold() const { return m_asyncPixels; }

    // Latest finished result for a scope; empty while computing, without both images, or for
    // an empty region.
    std::optional<DiffMetrics> metrics(Scope scope) const { return m_results[static_cast<size_t>(scope)]; }
    QString errorText() const { return m_error; }
    bool isBusy() const;  // work pending or running

    // Runs' JSON reports (either may be empty); rendered as one comparison.
    void setReports(const QString& jsonA, const QString& jsonB);
    QString reportHtml() const { return m_reportHtml; }
    QTableWidget* table() const { return m_table; }
    // Divergence of B from A over the sampler steps (log plot below the numbers).
    DivergencePlot* divergencePlot() const { return m_divergence; }

public Q_SLOTS:
    void setVisibleRegion(const QRect& imageRect);
    void setRoi(const QRect& imageRect);

Q_SIGNALS:
    void metricsUpdated();  // after any scope's numbers changed

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Job {
        ImagePtr a, b;
        double threshold{0};
        QRect region;  // null = whole image
    };
    struct Outcome {
        quint64 generation{0};
        std::optional<DiffMetrics> metrics;
        QString error;
    };
    static Outcome run(const Job& job);

    void schedule(Scope scope, int delayMs);
    void start(Scope scope);
    void finish(Scope scope, const Outcome& outcome);
    bool pending(Scope scope) const;
    void showScope(Scope scope);
    void renderReports();

    ImagePtr m_a, m_b;
    QString m_labelA{QStringLiteral("A")}, m_labelB{QStringLiteral("B")};
    double m_threshold{1.0 / 255};
    qint64 m_asyncPixels{256 * 256};
    QRect m_visible, m_roi;
    std::array<std::optional<DiffMetrics>, 3> m_results;
    std::array<quint64, 3> m_generation{1, 1, 1};  // 0 is never a live generation
    quint64 m_visibleAwaitsWhole{0};  // generation of a Visible job that equals the whole image
    std::array<QTimer*, 3> m_timers{};
    std::array<QFutureWatcher<Outcome>*, 3> m_watchers{};
    std::array<bool, 3> m_inFlight{};  // until finished() is delivered, not just until the job ends
    QString m_error;
    QString m_jsonA, m_jsonB, m_reportHtml;

    QDoubleSpinBox* m_thresholdSpin{nullptr};
    QLabel* m_thresholdHint{nullptr};
    QLabel* m_status{nullptr};
    QTableWidget* m_table{nullptr};
    QTextBrowser* m_reports{nullptr};
    DivergencePlot* m_divergence{nullptr};
};

}  // namespace studio::ui
