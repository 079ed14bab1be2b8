#include "studio/ui/LayerTableModel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <cmath>
#include <limits>

namespace studio::ui {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

QString orDash(const QString& s) { return s.isEmpty() ? QStringLiteral("—") : s; }

QString count(qint64 n) { return QLocale().toString(n); }

bool numeric(int column)
{
    return column >= LayerTableModel::ColMaxAbs && column <= LayerTableModel::ColFirstStep;
}

bool countCell(const AuditLayer& l, int column)
{
    return (column == LayerTableModel::ColNan && l.nan > 0) || (column == LayerTableModel::ColInf && l.inf > 0) ||
           (column == LayerTableModel::ColBeyond && l.beyondFp16 > 0);
}

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

QColor LayerTableModel::failingTint() { return QColor(229, 57, 53, 90); }
// Semi-transparent so that the tints read on light and dark palettes alike.
QColor LayerTableModel::headroomTint() { return QColor(255, 152, 0, 120); }

void LayerTableModel::setReport(const AuditReport& report)
{
    beginResetModel();
    m_layers = report.layers;
    m_firstFailing = report.firstFailingRow;
    endResetModel();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(m_layers.size()); }

int LayerTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    // Two-line headers keep the numeric columns as narrow as their numbers.
    static const char* names[] = {"Module", "Layer", "Kind", "Weight", "Input", "Output", "Value\nprecision", "max |x|",
                                  "fp16 headroom\n(bits)", "NaN", "Inf", "> fp16", "First non-\nfinite step"};
    static const char* tips[] = {
        "Pipeline module", "Checkpoint-style path of the site inside the module",
        "module output, block, linear, attention, norm or conv", "Observed storage dtype of the site's weight",
        "Observed dtype of the tensor entering the site (deep audit)", "Observed dtype of the site's output",
        "Precision the output values really use: bf16 (7 mantissa bits), fp16/tf32 (10) or fp32; — below 1000 values",
        "Largest finite |x| over every call", "log2(65504 / max |x|) in bits; under 1 bit is close to fp16 overflow",
        "NaN values over every call", "Inf values over every call", "Finite values beyond fp16's 65504",
        "First sampler step with NaN/Inf (transformer); 0 for other modules"};
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) return tr(names[section]);
    if (role == Qt::ToolTipRole) return tr(tips[section]);
    return {};
}

QString LayerTableModel::text(const AuditLayer& l, int column) const
{
    switch (column) {
    case ColModule: return l.module;
    case ColLayer: return l.layer;
    case ColKind: return l.kind;
    case ColWeight: return orDash(l.weightDtype);
    case ColInput: return orDash(l.inputDtype);
    case ColOutput: return orDash(l.outputDtype);
    case ColValues: return orDash(l.valuePrecision);
    case ColMaxAbs: return std::isfinite(l.maxAbs) ? QString::number(l.maxAbs, 'g', 5) : QStringLiteral("—");
    case ColHeadroom: return std::isfinite(l.headroomBits) ? QString::number(l.headroomBits, 'f', 1) : QStringLiteral("—");
    case ColNan: return count(l.nan);
    case ColInf: return count(l.inf);
    case ColBeyond: return count(l.beyondFp16);
    case ColFirstStep: return l.firstNonfiniteStep < 0 ? QStringLiteral("—") : QString::number(l.firstNonfiniteStep);
    default: return {};
    }
}

QVariant LayerTableModel::sortValue(const AuditLayer& l, int column) const
{
    switch (column) {
    case ColModule: return qlonglong(moduleRank(l.module)) << 32 | qlonglong(l.jsonIndex);
    case ColMaxAbs: return std::isfinite(l.maxAbs) ? l.maxAbs : -1.0;
    // No headroom (nothing finite was seen) and never non-finite sort after every real value.
    case ColHeadroom: return std::isfinite(l.headroomBits) ? l.headroomBits : kInf;
    case ColNan: return qlonglong(l.nan);
    case ColInf: return qlonglong(l.inf);
    case ColBeyond: return qlonglong(l.beyondFp16);
    case ColFirstStep: return l.firstNonfiniteStep < 0 ? kInf : double(l.firstNonfiniteStep);
    default: return text(l, column);
    }
}

QString LayerTableModel::toolTip(const AuditLayer& l, int row, int column) const
{
    if (row == m_firstFailing) {
        const QString when = l.module == QLatin1String("dit") && l.firstNonfiniteStep >= 1
                                 ? tr(" at sampler step %1").arg(l.firstNonfiniteStep) : QString();
        return tr("First layer to go non-finite: %1%2 (NaN %3, Inf %4). Layers after it inherit its NaN/Inf.")
            .arg(l.path(), when, count(l.nan), count(l.inf));
    }
    if (column == ColHeadroom && l.lowHeadroom())
        return tr("max |x| %1 leaves %2 bits below fp16's 65504: fp16 would overflow here")
            .arg(QString::number(l.maxAbs, 'g', 5), QString::number(l.headroomBits, 'f', 2));
    if (column == ColValues && l.valuePrecision.isEmpty()) return tr("Fewer than 1000 nonzero finite values");
    if (column == ColLayer) return l.path();
    return {};
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_layers.size()) return {};
    const AuditLayer& l = m_layers[index.row()];
    const int column = index.column();
    const bool failing = index.row() == m_firstFailing;
    switch (role) {
    case Qt::DisplayRole: return text(l, column);
    case SortRole: return sortValue(l, column);
    case ProblemRole: return l.problem();
    case ModuleRole: return l.module;
    case Qt::ToolTipRole: {
        const QString tip = toolTip(l, index.row(), column);
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case Qt::TextAlignmentRole:
        return numeric(column) ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::BackgroundRole:
        if (failing) return QBrush(failingTint());
        if (column == ColHeadroom && l.lowHeadroom()) return QBrush(headroomTint());
        if (countCell(l, column)) return QBrush(QColor(229, 57, 53, 40));
        return {};
    case Qt::FontRole:
        if (failing) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default: return {};
    }
}

LayerFilterProxy::LayerFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(LayerTableModel::SortRole);
    m_collator.setNumericMode(true);
}

void LayerFilterProxy::setModule(const QString& module)
{
    if (module == m_module) return;
    m_module = module;
    invalidateFilter();
}

void LayerFilterProxy::setProblemsOnly(bool on)
{
    if (on == m_problemsOnly) return;
    m_problemsOnly = on;
    invalidateFilter();
}

bool LayerFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_module.isEmpty() && i.data(LayerTableModel::ModuleRole).toString() != m_module) return false;
    return !m_problemsOnly || i.data(LayerTableModel::ProblemRole).toBool();
}

bool LayerFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant a = left.data(sortRole()), b = right.data(sortRole());
    if (a.typeId() == QMetaType::QString && b.typeId() == QMetaType::QString) {
        const int c = m_collator.compare(a.toString(), b.toString());
        if (c != 0) return c < 0;
        // Equal text keeps model order, so a sorted column stays grouped the way the model runs.
        return left.row() < right.row();
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

}  // namespace studio::ui
