#pragma once
// The per-layer audit table (one row per traced site) as an item model, and the proxy that
// filters it by module and to problem rows. Qt::UserRole carries a number for the numeric
// columns so that they sort by value, not by text; the Module column's number is the model
// order (text, clip, dit, vae, then report order), the default sort.
#include <QAbstractTableModel>
#include <QCollator>
#include <QSortFilterProxyModel>

#include "studio/ui/AuditReport.h"

namespace studio::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ColModule, ColLayer, ColKind, ColWeight, ColInput, ColOutput, ColValues, ColMaxAbs, ColHeadroom,
        ColNan, ColInf, ColBeyond, ColFirstStep, ColumnCount
    };
    enum Role { SortRole = Qt::UserRole, ProblemRole, ModuleRole };

    explicit LayerTableModel(QObject* parent = nullptr);

    void setReport(const AuditReport& report);
    const QList<AuditLayer>& layers() const { return m_layers; }
    int firstFailingRow() const { return m_firstFailing; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Background of the first failing row and of cells under 1 bit of fp16 headroom.
    static QColor failingTint();
    static QColor headroomTint();

private:
    QString text(const AuditLayer& l, int column) const;
    QVariant sortValue(const AuditLayer& l, int column) const;
    QString toolTip(const AuditLayer& l, int row, int column) const;

    QList<AuditLayer> m_layers;
    int m_firstFailing{-1};
};

class LayerFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LayerFilterProxy(QObject* parent = nullptr);

    void setModule(const QString& module);  // "" = all modules
    QString module() const { return m_module; }
    void setProblemsOnly(bool on);
    bool problemsOnly() const { return m_problemsOnly; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString m_module;
    bool m_problemsOnly{false};
    QCollator m_collator;  // numeric: layers.2 before layers.10
};

}  // namespace studio::ui
