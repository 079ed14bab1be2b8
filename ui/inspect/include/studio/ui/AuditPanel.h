#pragma once
// The precision audit of a run (A or B): the report's findings, a map of the precision each
// layer really ran in, and the per-layer table with the first layer that went non-finite
// highlighted. Picking a finding or a map cell selects the layer in the table.
#include <QString>
#include <QWidget>

#include <array>

#include "studio/ui/AuditReport.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTreeWidget;
class QAbstractItemModel;

namespace studio::ui {

class DtypeMap;
class LayerFilterProxy;
class LayerTableModel;

class AuditPanel : public QWidget {
    Q_OBJECT
public:
    explicit AuditPanel(QWidget* parent = nullptr);

    // Either may be empty (no run); malformed JSON shows why in place of the audit.
    void setReports(const QString& jsonA, const QString& jsonB, const QString& labelA, const QString& labelB);
    int currentRun() const { return m_run; }  // 0 = A, 1 = B
    void setCurrentRun(int run);
    const AuditReport& report() const { return m_reports[static_cast<size_t>(m_run)]; }

    QTableView* table() const { return m_table; }
    QAbstractItemModel* layerModel() const;  // the sorted, filtered proxy the table shows
    LayerTableModel* sourceModel() const { return m_model; }
    QTreeWidget* findingsView() const { return m_findings; }
    QComboBox* runSelector() const { return m_runCombo; }
    QComboBox* moduleFilter() const { return m_moduleCombo; }
    QCheckBox* problemsOnlyBox() const { return m_problemsOnly; }
    DtypeMap* dtypeMap() const { return m_map; }
    int firstFailingSourceRow() const;
    int selectedSourceRow() const;  // -1 none
    QString summaryText() const;
    QString hintText() const;         // empty when hidden
    QString placeholderText() const;  // empty while the audit shows

public Q_SLOTS:
    void setModuleFilter(const QString& module);  // "" = all
    void setProblemsOnly(bool on);
    // Selects and scrolls to a layer row (AuditReport::layers index), widening the filters
    // when they hide it.
    void selectSourceRow(int sourceRow);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showRun();
    void fitColumns();
    void scrollToFirstFailing();
    void fillRuns();
    void fillFindings();

    std::array<QString, 2> m_labels;
    std::array<AuditReport, 2> m_reports;
    int m_run{0};

    QComboBox* m_runCombo{nullptr};
    QComboBox* m_moduleCombo{nullptr};
    QCheckBox* m_problemsOnly{nullptr};
    QLabel* m_summary{nullptr};
    QLabel* m_hint{nullptr};
    QLabel* m_placeholder{nullptr};
    QStackedWidget* m_stack{nullptr};
    DtypeMap* m_map{nullptr};
    QSplitter* m_split{nullptr};
    QTreeWidget* m_findings{nullptr};
    QTableView* m_table{nullptr};
    LayerTableModel* m_model{nullptr};
    LayerFilterProxy* m_proxy{nullptr};
};

// The badge the main window draws over a run's image: "✖ N" for N errors, else "⚠ N" for N
// warnings, "" for a clean (or unreadable) report. worstSeverity (optional): 0 none,
// 1 warning, 2 error.
QString auditBadgeText(const QString& json, int* worstSeverity = nullptr);

}  // namespace studio::ui
