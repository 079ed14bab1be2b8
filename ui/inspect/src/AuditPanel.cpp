#include "studio/ui/AuditPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "studio/ui/DtypeMap.h"
#include "studio/ui/LayerTableModel.h"

namespace studio::ui {

namespace {

constexpr int RowRole = Qt::UserRole;

QStyle::StandardPixmap severityIcon(AuditSeverity s)
{
    switch (s) {
    case AuditSeverity::Error: return QStyle::SP_MessageBoxCritical;
    case AuditSeverity::Warning: return QStyle::SP_MessageBoxWarning;
    default: return QStyle::SP_MessageBoxInformation;
    }
}

// QTreeView measures rows without a width, so word-wrapped text would stay on one line: give
// the delegate the viewport's width to wrap at.
class WrappingDelegate : public QStyledItemDelegate {
public:
    explicit WrappingDelegate(QAbstractItemView* view) : QStyledItemDelegate(view), m_view(view) {}
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyleOptionViewItem wrapped(option);
        wrapped.rect = QRect(0, 0, std::max(40, m_view->viewport()->width()), 1);
        return QStyledItemDelegate::sizeHint(wrapped, index);
    }

private:
    QAbstractItemView* m_view;
};

}  // namespace

AuditPanel::AuditPanel(QWidget* parent) : QWidget(parent)
{
    m_runCombo = new QComboBox(this);
    m_runCombo->setToolTip(tr("Run whose audit is shown"));
    m_runCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_moduleCombo = new QComboBox(this);
    m_moduleCombo->setToolTip(tr("Show the layers of one module"));
    m_problemsOnly = new QCheckBox(tr("Problems only"), this);
    m_problemsOnly->setToolTip(tr("Layers with NaN/Inf, values beyond fp16, under 1 bit of fp16 headroom, or named by a finding"));
    m_summary = new QLabel(this);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long summaries must not widen the panel
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    top->setSpacing(8);
    for (QWidget* w : std::initializer_list<QWidget*>{new QLabel(tr("Run"), this), m_runCombo, new QLabel(tr("Module"), this),
                                                      m_moduleCombo, m_problemsOnly})
        top->addWidget(w);
    top->addWidget(m_summary, 1);

    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_map = new DtypeMap(this);

    m_findings = new QTreeWidget(this);
    m_findings->setHeaderHidden(true);
    m_findings->setRootIsDecorated(false);
    m_findings->setWordWrap(true);  // messages are long; the list is narrow
    m_findings->setItemDelegate(new WrappingDelegate(m_findings));
    // Row heights are measured once; a new width must wrap the text again.
    connect(m_findings->header(), &QHeaderView::sectionResized, m_findings, &QTreeWidget::doItemsLayout);

    m_model = new LayerTableModel(this);
    m_proxy = new LayerFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LayerTableModel::ColModule, Qt::AscendingOrder);  // model order
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);  // a shortened layer path keeps its leaf
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->horizontalHeader()->setHighlightSections(false);

    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->addWidget(m_findings);
    m_split->addWidget(m_table);
    m_split->setStretchFactor(1, 1);
    m_split->setSizes({260, 940});

    auto* content = new QWidget(this);
    auto* body = new QVBoxLayout(content);
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(m_hint);
    body->addWidget(m_map);
    body->addWidget(m_split, 1);
    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(content);
    m_stack->addWidget(m_placeholder);

    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(6, 6, 6, 6);
    col->addLayout(top);
    col->addWidget(m_stack, 1);

    connect(m_runCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        const int run = m_runCombo->currentData().toInt();
        if (run >= 0) m_run = run;
        showRun();
    });
    connect(m_moduleCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { m_proxy->setModule(m_moduleCombo->currentData().toString()); });
    connect(m_problemsOnly, &QCheckBox::toggled, m_proxy, &LayerFilterProxy::setProblemsOnly);
    // Mouse click and keyboard activation alike; a finding without a layer row leaves the table alone.
    auto picked = [this](QTreeWidgetItem* item) { selectSourceRow(item ? item->data(0, RowRole).toInt() : -1); };
    connect(m_findings, &QTreeWidget::itemClicked, this, picked);
    connect(m_findings, &QTreeWidget::itemActivated, this, picked);
    connect(m_map, &DtypeMap::layerClicked, this, &AuditPanel::selectSourceRow);
    connect(m_table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, [this] { fitColumns(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_map->setSelectedRow(selectedSourceRow()); });
    setReports({}, {}, {}, {});
}

QAbstractItemModel* AuditPanel::layerModel() const { return m_proxy; }

int AuditPanel::firstFailingSourceRow() const { return m_model->firstFailingRow(); }

void AuditPanel::setReports(const QString& jsonA, const QString& jsonB, const QString& labelA, const QString& labelB)
{
    m_reports = {parseAuditReport(jsonA), parseAuditReport(jsonB)};
    m_labels = {labelA, labelB};
    // Stay on the run shown unless it has no report or the other run needs a look more (errors
    // beat warnings beat none): after a compare the panel opens on the run with the problem.
    const auto concern = [](const AuditReport& r) { return !r.ok() ? 0 : r.errors > 0 ? 2 : r.warnings > 0 ? 1 : 0; };
    const auto& shown = m_reports[static_cast<size_t>(m_run)];
    const auto& other = m_reports[static_cast<size_t>(1 - m_run)];
    if ((!shown.present && other.present) || concern(other) > concern(shown)) m_run = 1 - m_run;
    fillRuns();
    showRun();
}

void AuditPanel::fillRuns()
{
    const QSignalBlocker block(m_runCombo);
    m_runCombo->clear();
    for (int run = 0; run < 2; ++run) {
        if (!m_reports[static_cast<size_t>(run)].present) continue;
        const QString name = run == 0 ? QStringLiteral("A") : QStringLiteral("B");
        const QString& label = m_labels[static_cast<size_t>(run)];
        // Slot labels from the image view already open with "A:" / "B:".
        const bool named = label.startsWith(name + QLatin1Char(':'));
        m_runCombo->addItem(label.isEmpty() ? name : named ? label : name + QStringLiteral(" · ") + label, run);
    }
    if (m_runCombo->count() == 0) m_runCombo->addItem(tr("No run"), -1);
    m_runCombo->setEnabled(m_runCombo->count() > 1);
    m_runCombo->setCurrentIndex(std::max(0, m_runCombo->findData(m_run)));
}

void AuditPanel::setCurrentRun(int run)
{
    const int index = m_runCombo->findData(run);
    if (index >= 0) m_runCombo->setCurrentIndex(index);
}

void AuditPanel::showRun()
{
    const AuditReport& r = report();
    m_model->setReport(r);
    m_map->setLayers(r.layers, r.firstFailingRow);
    m_map->setVisible(!r.layers.isEmpty());
    {
        // Keep the module the user picked when the other run has it too.
        const QString module = m_proxy->module();
        const QSignalBlocker block(m_moduleCombo);
        m_moduleCombo->clear();
        m_moduleCombo->addItem(tr("All modules"), QString());
        for (const QString& m : r.modules) m_moduleCombo->addItem(m, m);
        m_moduleCombo->setCurrentIndex(std::max(0, m_moduleCombo->findData(module)));
        m_proxy->setModule(m_moduleCombo->currentData().toString());
    }
    fillFindings();

    m_placeholder->setText(!r.present ? tr("No run report yet. Generate or load a run to see its precision audit.")
                           : r.ok()   ? QString()
                                      : tr("The report of run %1 could not be read (%2).")
                                          .arg(m_run == 0 ? QStringLiteral("A") : QStringLiteral("B"), r.error));
    m_stack->setCurrentIndex(r.ok() ? 0 : 1);
    m_moduleCombo->setEnabled(r.ok());
    m_problemsOnly->setEnabled(r.ok());

    QString hint;
    if (r.ok() && r.layers.isEmpty())
        hint = tr("No per-layer audit in this run — turn on the basic or deep audit to see its layers.");
    else if (r.auditLevel == QLatin1String("basic"))
        hint = tr("Module outputs only — turn on the deep audit for every layer.");
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());

    const QString summary = r.summary();
    m_summary->setText(summary);
    m_summary->setToolTip(summary);

    // After the layout has sized the table: fitting and centring need the viewport's real size.
    fitColumns();
    QTimer::singleShot(0, this, [this] {
        fitColumns();
        scrollToFirstFailing();
    });
}

void AuditPanel::fitColumns()
{
    // Room for the sort arrow only where it is drawn: while it is shown the header reserves it
    // in every section, a quarter of the table's width.
    QHeaderView* header = m_table->horizontalHeader();
    header->setSortIndicatorShown(false);
    m_table->resizeColumnsToContents();
    header->setSortIndicatorShown(true);
    const int sorted = header->sortIndicatorSection();
    if (sorted >= 0 && sorted < LayerTableModel::ColumnCount)
        header->resizeSection(sorted, std::max(header->sectionSize(sorted), header->sectionSizeHint(sorted)));
    // When every column does not fit, the layer path gives up width first (elided in the middle).
    const int overflow = header->length() - m_table->viewport()->width();
    const int layer = header->sectionSize(LayerTableModel::ColLayer);
    if (overflow > 0) header->resizeSection(LayerTableModel::ColLayer, std::max(layer - overflow, std::min(layer, 160)));
}

void AuditPanel::scrollToFirstFailing()
{
    const int row = firstFailingSourceRow();
    const QModelIndex index = row >= 0 ? m_proxy->mapFromSource(m_model->index(row, 0)) : QModelIndex();
    if (index.isValid()) m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void AuditPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    fitColumns();
    scrollToFirstFailing();
}

void AuditPanel::fillFindings()
{
    m_findings->clear();
    const AuditReport& r = report();
    QList<AuditFinding> findings = r.findings;
    // Errors first, then warnings, then notes; each in report order.
    std::stable_sort(findings.begin(), findings.end(),
                     [](const AuditFinding& a, const AuditFinding& b) { return a.severity > b.severity; });
    for (const AuditFinding& f : findings) {
        auto* item = new QTreeWidgetItem(m_findings, {f.text()});
        item->setIcon(0, style()->standardIcon(severityIcon(f.severity)));
        item->setData(0, RowRole, f.row);
        QString tip = f.text();
        if (f.row < 0 && !f.layer.isEmpty()) tip += tr("\n(no row for this layer in the table)");
        item->setToolTip(0, tip);
    }
    if (r.ok() && findings.isEmpty()) {
        auto* item = new QTreeWidgetItem(m_findings, {tr("No findings: the audit saw nothing to report")});
        item->setData(0, RowRole, -1);
        item->setFlags(Qt::NoItemFlags);
    }
}

void AuditPanel::setModuleFilter(const QString& module)
{
    m_moduleCombo->setCurrentIndex(std::max(0, m_moduleCombo->findData(module)));
}

void AuditPanel::setProblemsOnly(bool on) { m_problemsOnly->setChecked(on); }

void AuditPanel::selectSourceRow(int sourceRow)
{
    if (sourceRow < 0 || sourceRow >= m_model->rowCount()) return;
    const QModelIndex source = m_model->index(sourceRow, 0);
    if (!m_proxy->mapFromSource(source).isValid()) setModuleFilter({});
    if (!m_proxy->mapFromSource(source).isValid()) setProblemsOnly(false);
    const QModelIndex index = m_proxy->mapFromSource(source);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_map->setSelectedRow(sourceRow);
}

int AuditPanel::selectedSourceRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : m_proxy->mapToSource(rows.first()).row();
}

QString AuditPanel::summaryText() const { return m_summary->text(); }

QString AuditPanel::hintText() const { return m_hint->isHidden() ? QString() : m_hint->text(); }

QString AuditPanel::placeholderText() const { return m_stack->currentIndex() == 1 ? m_placeholder->text() : QString(); }

QString auditBadgeText(const QString& json, int* worstSeverity)
{
    const AuditReport r = parseAuditReport(json);
    const int worst = r.errors > 0 ? 2 : r.warnings > 0 ? 1 : 0;
    if (worstSeverity) *worstSeverity = worst;
    if (worst == 2) return QStringLiteral("✖ %1").arg(r.errors);
    if (worst == 1) return QStringLiteral("⚠ %1").arg(r.warnings);
    return {};
}

}  // namespace studio::ui
