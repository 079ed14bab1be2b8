#pragma once
// Help > Shortcuts: every action of the window that has a shortcut, read from the actions
// themselves so the list can never drift from what the keys do.
#include <QDialog>
#include <QList>

class QAction;
class QTableWidget;

namespace studio::ui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);
    QTableWidget* table() const { return m_table; }

private:
    QTableWidget* m_table{nullptr};
};

}  // namespace studio::ui
