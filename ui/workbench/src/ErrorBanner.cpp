#include "studio/ui/ErrorBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QStyle>
#include <QToolButton>

namespace studio::ui {

ErrorBanner::ErrorBanner(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("errorBanner"));
    // A fixed warm red reads as an error in light and dark palettes alike.
    setStyleSheet(QStringLiteral("#errorBanner { background: #c62828; border-radius: 3px; }"
                                 "#errorBanner QLabel, #errorBanner QToolButton { color: white; }"));
    auto* icon = new QLabel;
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(18, 18));
    m_text = new QLabel;
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailsButton = new QToolButton;
    m_detailsButton->setText(tr("Details"));
    m_detailsButton->setAutoRaise(true);
    auto* close = new QToolButton;
    close->setText(QStringLiteral("\u2715"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Dismiss"));
    connect(m_detailsButton, &QToolButton::clicked, this, &ErrorBanner::showDetails);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_detailsButton);
    layout->addWidget(close);
    hide();
}

void ErrorBanner::showError(const QString& title, const QString& details) {
    m_title = title;
    m_details = details;
    const QString firstLine = details.section(QLatin1Char('\n'), 0, 0);
    m_text->setText(QStringLiteral("<b>%1</b> %2").arg(title.toHtmlEscaped(), firstLine.toHtmlEscaped()));
    m_detailsButton->setVisible(!details.isEmpty());
    show();
}

void ErrorBanner::showDetails() {
    auto* box = new QMessageBox(QMessageBox::Critical, m_title, m_details, QMessageBox::Close, window());
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

}  // namespace studio::ui
