#pragma once
// The strip under the images: progress (step x/N, stage, ETA), the live latent preview,
// the queue length and Cancel.
#include <QImage>
#include <QWidget>

#include "studio/Job.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace studio::ui {

class JobStatusBar : public QWidget {
    Q_OBJECT
public:
    explicit JobStatusBar(QWidget* parent = nullptr);

    static QString describe(const ProgressInfo& info);  // "step 3/28 · sample · ETA 12 s"

    void jobStarted(const QString& tag);
    void setProgress(const ProgressInfo& info);
    void setPreview(const QImage& image);
    void setQueued(int count);
    void jobEnded(const QString& message);  // back to idle with a final word ("A done in 3.2 s")

    QString progressText() const;
    QProgressBar* progressBar() const { return m_bar; }
    QPushButton* cancelButton() const { return m_cancel; }
    QLabel* previewLabel() const { return m_preview; }

Q_SIGNALS:
    void cancelRequested();

private:
    QProgressBar* m_bar{nullptr};
    QLabel* m_preview{nullptr};
    QLabel* m_queue{nullptr};
    QPushButton* m_cancel{nullptr};
    QString m_tag;
};

}  // namespace studio::ui
