#include "studio/ui/MetadataDialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace studio::ui {

QString MetadataDialog::formatEntries(const std::map<std::string, std::string>& text) {
    if (text.empty()) return tr("(the file carries no text entries)");
    QString out;
    for (const auto& [key, value] : text) {
        std::string shown = value;
        const auto first = value.find_first_not_of(" \t\r\n");
        if (first != std::string::npos && (value[first] == '{' || value[first] == '[')) {
            try {
                shown = nlohmann::json::parse(value).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
            } catch (const std::exception&) {
                // Not JSON after all: show it as written.
            }
        }
        out += QStringLiteral("== %1 ==\n%2\n\n").arg(QString::fromStdString(key), QString::fromStdString(shown));
    }
    return out.trimmed();
}

MetadataDialog::MetadataDialog(const QString& path, const std::map<std::string, std::string>& text,
                               const QString& status, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Image metadata: %1").arg(QFileInfo(path).fileName()));
    auto* label = new QLabel(status);
    label->setWordWrap(true);
    m_view = new QPlainTextEdit(formatEntries(text));
    m_view->setReadOnly(true);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_view, 1);
    layout->addWidget(buttons);
    resize(720, 560);
}

QString MetadataDialog::text() const { return m_view->toPlainText(); }

}  // namespace studio::ui
