#include "studio/ui/LogPanel.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QMetaObject>
#include <QScrollBar>

#include <algorithm>
#include <mutex>

namespace studio::ui {

// The logging callback may run on any thread, even while this widget is being destroyed:
// it only posts through the bridge, and the destructor clears the bridge under its mutex.
struct LogPanel::Bridge {
    std::mutex mutex;
    LogPanel* target{nullptr};
};

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent), m_bridge(std::make_shared<Bridge>()) {
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("Log messages appear here"));
    m_bridge->target = this;
    std::weak_ptr<Bridge> weak = m_bridge;
    m_callbackId = add_log_callback([weak](LogLevel level, const std::string& text) {
        if (auto bridge = weak.lock()) {
            std::lock_guard<std::mutex> lock(bridge->mutex);
            if (bridge->target) bridge->target->post(level, QString::fromStdString(text));
        }
    });
}

LogPanel::~LogPanel() {
    remove_log_callback(m_callbackId);
    std::lock_guard<std::mutex> lock(m_bridge->mutex);
    m_bridge->target = nullptr;
}

void LogPanel::post(LogLevel level, const QString& message) {
    const int l = static_cast<int>(level);
    QMetaObject::invokeMethod(this, [this, l, message] { appendMessage(l, message); }, Qt::QueuedConnection);
}

void LogPanel::appendMessage(int level, const QString& message) {
    static const char* const names[] = {"trace", "debug", "info", "warn", "error"};
    const int l = std::clamp(level, 0, 4);
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    QString line = QStringLiteral("%1 %2  %3").arg(time, QString::fromLatin1(names[l]).leftJustified(5), message);
    QScrollBar* bar = verticalScrollBar();
    const bool follow = bar->value() >= bar->maximum() - 2;  // keep following only if the user did not scroll up
    if (l >= static_cast<int>(LogLevel::Warn)) {
        const QString colour = l == static_cast<int>(LogLevel::Error) ? QStringLiteral("#d32f2f") : QStringLiteral("#b26a00");
        appendHtml(QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour, line.toHtmlEscaped()));
    } else {
        appendPlainText(line);
    }
    if (follow) bar->setValue(bar->maximum());
}

}  // namespace studio::ui
