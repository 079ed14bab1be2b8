#pragma once
// A dismissible banner at the top of the window that shows the core's error message; the
// full text (file, tensor, line context) is one click away.
#include <QFrame>

class QLabel;
class QToolButton;

namespace studio::ui {

class ErrorBanner : public QFrame {
    Q_OBJECT
public:
    explicit ErrorBanner(QWidget* parent = nullptr);

    void showError(const QString& title, const QString& details);
    QString title() const { return m_title; }
    QString details() const { return m_details; }

private:
    void showDetails();

    QLabel* m_text{nullptr};
    QToolButton* m_detailsButton{nullptr};
    QString m_title, m_details;
};

}  // namespace studio::ui
