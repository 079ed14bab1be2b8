#include "studio/ui/HistoryStrip.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

namespace studio::ui {

namespace {

constexpr int kIdRole = Qt::UserRole;
constexpr int kThumbRole = Qt::UserRole + 1;

void drawBadge(QPainter& p, const QRect& r, const QString& text, const QColor& color)
{
    p.setPen(QPen(Qt::white, 1.5));
    p.setBrush(color);
    p.drawEllipse(r);
    QFont f = p.font();
    f.setBold(true);
    f.setPixelSize(r.height() * 6 / 10);
    p.setFont(f);
    p.drawText(r, Qt::AlignCenter, text);
}

}  // namespace

HistoryStrip::HistoryStrip(QWidget* parent) : QWidget(parent)
{
    m_list = new QListWidget(this);
    m_list->setViewMode(QListView::IconMode);
    m_list->setFlow(QListView::LeftToRight);
    m_list->setWrapping(false);
    m_list->setMovement(QListView::Static);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setIconSize(QSize(kThumbSize, kThumbSize));
    m_list->setGridSize(QSize(kThumbSize + 28, kThumbSize + 2 * fontMetrics().height() + 10));
    m_list->setWordWrap(true);
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setUniformItemSizes(true);

    m_showA = new QPushButton(tr("Show as A"), this);
    m_showB = new QPushButton(tr("Show as B"), this);
    m_showA->setObjectName(QStringLiteral("showAsA"));
    m_showB->setObjectName(QStringLiteral("showAsB"));
    m_showA->setToolTip(tr("Show the selected run as image A"));
    m_showB->setToolTip(tr("Show the selected run as image B (or double-click it)"));

    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_showA);
    buttons->addWidget(m_showB);
    buttons->addStretch(1);
    // One row of thumbnails: as tall as a thumbnail with two caption lines and a scroll bar.
    m_list->setFixedHeight(m_list->gridSize().height() + m_list->horizontalScrollBar()->sizeHint().height() +
                           2 * m_list->frameWidth() + 4);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_list, 1);
    row->addLayout(buttons);

    connect(m_showA, &QPushButton::clicked, this, [this] {
        if (!selectedRun().isEmpty()) Q_EMIT showAsARequested(selectedRun());
    });
    connect(m_showB, &QPushButton::clicked, this, [this] {
        if (!selectedRun().isEmpty()) Q_EMIT showAsBRequested(selectedRun());
    });
    connect(m_list, &QListWidget::itemDoubleClicked, this,
            [this](QListWidgetItem* item) { Q_EMIT showAsBRequested(item->data(kIdRole).toString()); });
    connect(m_list, &QListWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        Q_EMIT selectionChanged(selectedRun());
    });
    connect(m_list, &QWidget::customContextMenuRequested, this, &HistoryStrip::showMenu);
    updateButtons();
}

QSize HistoryStrip::sizeHint() const
{
    return {640, m_list->height()};
}

QListWidgetItem* HistoryStrip::itemFor(const QString& id) const
{
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(kIdRole).toString() == id) return m_list->item(i);
    return nullptr;
}

void HistoryStrip::addRun(const HistoryEntry& entry)
{
    QListWidgetItem* item = itemFor(entry.id);
    if (!item) item = new QListWidgetItem(m_list);
    item->setData(kIdRole, entry.id);
    item->setData(kThumbRole, entry.thumbnail.scaled(kThumbSize, kThumbSize, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    item->setText(entry.label);
    item->setToolTip(entry.tooltip.isEmpty() ? entry.label : entry.tooltip);
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
    refreshIcon(item);
    m_list->scrollToItem(item);
}

bool HistoryStrip::removeRun(const QString& id)
{
    QListWidgetItem* item = itemFor(id);
    if (!item) return false;
    delete item;
    if (m_markA == id) m_markA.clear();
    if (m_markB == id) m_markB.clear();
    updateButtons();
    return true;
}

void HistoryStrip::clear()
{
    m_list->clear();
    m_markA.clear();
    m_markB.clear();
    updateButtons();
}

int HistoryStrip::count() const { return m_list->count(); }

QStringList HistoryStrip::runIds() const
{
    QStringList ids;
    for (int i = 0; i < m_list->count(); ++i) ids << m_list->item(i)->data(kIdRole).toString();
    return ids;
}

QString HistoryStrip::selectedRun() const
{
    const auto items = m_list->selectedItems();
    return items.isEmpty() ? QString() : items.first()->data(kIdRole).toString();
}

void HistoryStrip::selectRun(const QString& id)
{
    if (QListWidgetItem* item = itemFor(id)) {
        m_list->setCurrentItem(item);
        m_list->scrollToItem(item);
    }
}

void HistoryStrip::setMarkedA(const QString& id)
{
    const QString old = m_markA;
    m_markA = id;
    for (const QString& x : {old, id})
        if (QListWidgetItem* item = itemFor(x)) refreshIcon(item);
}

void HistoryStrip::setMarkedB(const QString& id)
{
    const QString old = m_markB;
    m_markB = id;
    for (const QString& x : {old, id})
        if (QListWidgetItem* item = itemFor(x)) refreshIcon(item);
}

void HistoryStrip::refreshIcon(QListWidgetItem* item) const
{
    const QString id = item->data(kIdRole).toString();
    const QImage thumb = item->data(kThumbRole).value<QImage>();
    QPixmap pm(kThumbSize, kThumbSize);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    if (!thumb.isNull()) {
        p.drawImage(QPoint((kThumbSize - thumb.width()) / 2, (kThumbSize - thumb.height()) / 2), thumb);
    } else {
        p.setPen(palette().color(QPalette::Mid));
        p.drawRect(pm.rect().adjusted(0, 0, -1, -1));
    }
    const int d = 22;
    if (!id.isEmpty() && id == m_markA) drawBadge(p, QRect(3, 3, d, d), QStringLiteral("A"), QColor(0x1e88e5));
    if (!id.isEmpty() && id == m_markB) drawBadge(p, QRect(kThumbSize - d - 3, 3, d, d), QStringLiteral("B"), QColor(0xef6c00));
    p.end();
    item->setIcon(QIcon(pm));
}

void HistoryStrip::updateButtons()
{
    const bool any = !selectedRun().isEmpty();
    m_showA->setEnabled(any);
    m_showB->setEnabled(any);
}

void HistoryStrip::showMenu(const QPoint& pos)
{
    QListWidgetItem* item = m_list->itemAt(pos);
    if (!item) return;
    const QString id = item->data(kIdRole).toString();
    QMenu menu(this);
    menu.addAction(tr("Show as A"), this, [this, id] { Q_EMIT showAsARequested(id); });
    menu.addAction(tr("Show as B"), this, [this, id] { Q_EMIT showAsBRequested(id); });
    menu.addSeparator();
    menu.addAction(tr("Remove from history"), this, [this, id] { Q_EMIT removeRequested(id); });
    menu.exec(m_list->viewport()->mapToGlobal(pos));
}

}  // namespace studio::ui
