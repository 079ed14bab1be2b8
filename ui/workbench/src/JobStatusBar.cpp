#include "studio/ui/JobStatusBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace studio::ui {

namespace {
constexpr int kPreviewSide = 48;

QString formatSeconds(double s) {
    if (s < 0) return QStringLiteral("?");
    if (s < 60) return QStringLiteral("%1 s").arg(s, 0, 'f', s < 10 ? 1 : 0);
    const int total = static_cast<int>(std::lround(s));
    return QStringLiteral("%1:%2 min").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}
}  // namespace

JobStatusBar::JobStatusBar(QWidget* parent) : QWidget(parent) {
    m_preview = new QLabel;
    m_preview->setFixedSize(kPreviewSide, kPreviewSide);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setToolTip(tr("Live preview of the latent being denoised"));
    m_bar = new QProgressBar;
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setTextVisible(true);
    m_bar->setFormat(tr("Idle"));
    m_queue = new QLabel;
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running job and drop the queued ones (Esc)"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &JobStatusBar::cancelRequested);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(m_preview);
    layout->addWidget(m_bar, 1);
    layout->addWidget(m_queue);
    layout->addWidget(m_cancel);
}

QString JobStatusBar::describe(const ProgressInfo& info) {
    QStringList parts;
    if (info.steps > 0) parts << tr("step %1/%2").arg(info.step).arg(info.steps);
    if (!info.stage.empty()) parts << QString::fromStdString(info.stage);
    if (info.eta_s >= 0) parts << tr("ETA %1").arg(formatSeconds(info.eta_s));
    else if (info.elapsed_s > 0) parts << tr("%1 elapsed").arg(formatSeconds(info.elapsed_s));
    return parts.join(QStringLiteral(" \u00b7 "));
}

void JobStatusBar::jobStarted(const QString& tag) {
    m_tag = tag;
    m_bar->setRange(0, 0);  // busy until the first step arrives
    m_bar->setFormat(tr("%1: starting").arg(tag));
    m_preview->clear();
    m_cancel->setEnabled(true);
}

void JobStatusBar::setProgress(const ProgressInfo& info) {
    if (info.steps > 0) {
        m_bar->setRange(0, info.steps);
        m_bar->setValue(std::clamp(info.step, 0, info.steps));
    } else {
        m_bar->setRange(0, 0);
    }
    const QString text = describe(info);
    m_bar->setFormat(m_tag.isEmpty() ? text : QStringLiteral("%1: %2").arg(m_tag, text));
}

void JobStatusBar::setPreview(const QImage& image) {
    if (image.isNull()) return;
    m_preview->setPixmap(QPixmap::fromImage(image).scaled(m_preview->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

void JobStatusBar::setQueued(int count) { m_queue->setText(count > 0 ? tr("%1 queued").arg(count) : QString()); }

void JobStatusBar::jobEnded(const QString& message) {
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setFormat(message.isEmpty() ? tr("Idle") : message);
    m_cancel->setEnabled(false);
    m_tag.clear();
}

QString JobStatusBar::progressText() const { return m_bar->format(); }

}  // namespace studio::ui
