#pragma once
// Thumbnails of past runs in one horizontal row, newest on the right. Each run is picked as
// A or B through the buttons, the context menu or a double click (= B, the usual "compare
// the new run against the reference"). Badges mark the runs currently shown as A and B.
#include <QImage>
#include <QString>
#include <QWidget>

class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace studio::ui {

struct HistoryEntry {
    QString id;       // unique per run
    QString label;    // short caption, e.g. "bf16 · seed 42"
    QString tooltip;  // full settings
    QImage thumbnail; // any size; scaled down here
};

class HistoryStrip : public QWidget {
    Q_OBJECT
public:
    static constexpr int kThumbSize = 88;

    explicit HistoryStrip(QWidget* parent = nullptr);

    void addRun(const HistoryEntry& entry);  // replaces an entry with the same id
    bool removeRun(const QString& id);
    void clear();
    int count() const;
    QStringList runIds() const;  // left to right
    QString selectedRun() const;
    void selectRun(const QString& id);

    void setMarkedA(const QString& id);  // "" = none
    void setMarkedB(const QString& id);
    QString markedA() const { return m_markA; }
    QString markedB() const { return m_markB; }

    QSize sizeHint() const override;

Q_SIGNALS:
    void showAsARequested(const QString& id);
    void showAsBRequested(const QString& id);
    void removeRequested(const QString& id);
    void selectionChanged(const QString& id);

private:
    void showMenu(const QPoint& pos);
    QListWidgetItem* itemFor(const QString& id) const;
    void refreshIcon(QListWidgetItem* item) const;
    void updateButtons();

    QListWidget* m_list{nullptr};
    QPushButton* m_showA{nullptr};
    QPushButton* m_showB{nullptr};
    QString m_markA, m_markB;
};

}  // namespace studio::ui
