#pragma once
// The list of parse errors and lint findings of the prompt; activating a row asks for
// the editor to jump to its line and column.
#include <QTreeWidget>

#include <vector>

#include "studio/prompt/PromptLint.h"

namespace studio::ui {

class ProblemsPanel : public QTreeWidget {
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget* parent = nullptr);

    void setIssues(const std::vector<LintIssue>& issues);
    int issueCount() const { return m_count; }
    int errorCount() const { return m_errors; }
    QString summary() const;  // "2 errors, 1 warning" / "No problems"

Q_SIGNALS:
    void problemActivated(int line, int column);

private:
    int m_count{0};
    int m_errors{0};
    int m_warnings{0};
};

}  // namespace studio::ui
