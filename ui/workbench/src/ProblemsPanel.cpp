#include "studio/ui/ProblemsPanel.h"

#include <QHeaderView>
#include <QStyle>

namespace studio::ui {

namespace {
constexpr int kLineRole = Qt::UserRole;
constexpr int kColumnRole = Qt::UserRole + 1;

QIcon severityIcon(const QStyle* style, LintSeverity s) {
    switch (s) {
        case LintSeverity::Error: return style->standardIcon(QStyle::SP_MessageBoxCritical);
        case LintSeverity::Warning: return style->standardIcon(QStyle::SP_MessageBoxWarning);
        case LintSeverity::Info: return style->standardIcon(QStyle::SP_MessageBoxInformation);
    }
    return {};
}

QString counted(int n, const char* one, const char* many) {
    return QStringLiteral("%1 %2").arg(n).arg(QString::fromLatin1(n == 1 ? one : many));
}
}  // namespace

ProblemsPanel::ProblemsPanel(QWidget* parent) : QTreeWidget(parent) {
    // Two columns so the message gets the width; the lint code is in the tooltip.
    setColumnCount(2);
    setHeaderLabels({tr("Position"), tr("Problem")});
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(1, QHeaderView::Stretch);
    auto jump = [this](QTreeWidgetItem* item) {
        if (!item) return;
        const int line = item->data(0, kLineRole).toInt();
        if (line > 0) Q_EMIT problemActivated(line, item->data(0, kColumnRole).toInt());
    };
    connect(this, &QTreeWidget::itemClicked, this, [jump](QTreeWidgetItem* item, int) { jump(item); });
    connect(this, &QTreeWidget::itemActivated, this, [jump](QTreeWidgetItem* item, int) { jump(item); });
    setIssues({});
}

void ProblemsPanel::setIssues(const std::vector<LintIssue>& issues) {
    clear();
    m_count = static_cast<int>(issues.size());
    m_errors = m_warnings = 0;
    for (const LintIssue& issue : issues) {
        auto* item = new QTreeWidgetItem(this);
        item->setIcon(0, severityIcon(style(), issue.severity));
        item->setText(0, issue.line > 0 ? QStringLiteral("%1:%2").arg(issue.line).arg(issue.column) : QStringLiteral("-"));
        item->setText(1, QString::fromStdString(issue.message));
        const QString tip = QStringLiteral("%1 [%2]").arg(QString::fromStdString(issue.message), QString::fromStdString(issue.code));
        item->setToolTip(0, tip);
        item->setToolTip(1, tip);
        item->setData(0, kLineRole, issue.line);
        item->setData(0, kColumnRole, issue.column);
        if (issue.severity == LintSeverity::Error) ++m_errors;
        if (issue.severity == LintSeverity::Warning) ++m_warnings;
    }
    if (issues.empty()) {
        auto* item = new QTreeWidgetItem(this);
        item->setText(1, tr("No problems"));
        item->setFlags(Qt::NoItemFlags);
    }
}

QString ProblemsPanel::summary() const {
    if (m_count == 0) return tr("No problems");
    QStringList parts;
    if (m_errors) parts << counted(m_errors, "error", "errors");
    if (m_warnings) parts << counted(m_warnings, "warning", "warnings");
    if (const int info = m_count - m_errors - m_warnings) parts << counted(info, "note", "notes");
    return parts.join(QStringLiteral(", "));
}

}  // namespace studio::ui
