#pragma once
// Shows the text entries embedded in an image (A1111 "parameters", the studio's JSON record,
// anything else) and whether the studio could restore settings from them.
#include <QDialog>

#include <map>
#include <string>

class QPlainTextEdit;

namespace studio::ui {

class MetadataDialog : public QDialog {
    Q_OBJECT
public:
    // `status` is one line above the entries ("Settings restored", or why not).
    MetadataDialog(const QString& path, const std::map<std::string, std::string>& text, const QString& status,
                   QWidget* parent = nullptr);
    QString text() const;

    static QString formatEntries(const std::map<std::string, std::string>& text);  // JSON pretty-printed

private:
    QPlainTextEdit* m_view{nullptr};
};

}  // namespace studio::ui
