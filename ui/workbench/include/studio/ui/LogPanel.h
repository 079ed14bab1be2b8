#pragma once
// The log panel: every spdlog message of the process, appended on the UI thread.
#include <QPlainTextEdit>

#include <memory>

#include "studio/Logging.h"

namespace studio::ui {

class LogPanel : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;

    // Safe from any thread; the text is queued to the UI thread.
    void post(LogLevel level, const QString& message);
    void appendMessage(int level, const QString& message);  // UI thread

private:
    struct Bridge;
    std::shared_ptr<Bridge> m_bridge;  // shared with the logging callback, outlives this widget if needed
    int m_callbackId{0};
};

}  // namespace studio::ui
