#pragma once
// The prompt as a form: a list of characters (add, remove, duplicate, reorder) with their
// fields, and the general tags. It edits a PromptDocument in place, so fields and elements
// the form has no widget for are carried through untouched.
#include <QStringList>
#include <QWidget>

#include <map>
#include <string>
#include <vector>

#include "studio/prompt/PromptDocument.h"

class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QToolButton;

namespace studio::ui {

class PromptFormView : public QWidget {
    Q_OBJECT
public:
    // The fields that always have a row; others present in the document get one too.
    static const std::vector<std::string>& coreCharacterFields();  // n, gender, ..., position
    static const std::vector<std::string>& coreGeneralFields();    // count, style, ..., other

    explicit PromptFormView(QWidget* parent = nullptr);

    // Shows `doc` (an XML document). Widgets whose value did not change keep their cursor.
    void setDocument(const PromptDocument& doc);
    const PromptDocument& document() const { return m_doc; }
    // The text cannot be shown as a form (malformed XML, plain text): disable with a reason.
    void setUnavailable(const QString& reason);
    bool isAvailable() const { return m_available; }

    int currentCharacter() const { return m_current; }  // -1 when there are none
    void setCurrentCharacter(int index);

    // Editing operations; each emits documentEdited().
    void addCharacter();
    void removeCharacter(int index);
    void duplicateCharacter(int index);
    void moveCharacter(int from, int to);
    void setCharacterField(int index, const QString& name, const QString& value);  // empty value removes it
    void setGeneralField(const QString& name, const QString& value);

    QListWidget* characterList() const { return m_list; }
    QLineEdit* characterFieldEdit(const QString& name) const;
    QLineEdit* generalFieldEdit(const QString& name) const;
    QStringList keptElementNames() const;  // top-level elements kept as written

Q_SIGNALS:
    void documentEdited();
    void currentCharacterChanged(int index);

private:
    struct FieldRows {
        QFormLayout* form{nullptr};
        std::map<QString, QLineEdit*> edits;  // core + extra rows by field name
        QStringList extras;                   // extra rows currently built
        QStringList pending;                  // rows added by the user that have no value yet
        QToolButton* addButton{nullptr};
    };

    void buildUi();
    QWidget* buildCharacterButtons();
    void buildCoreRows(FieldRows& rows, const std::vector<std::string>& names, bool character);
    void refresh();
    void refreshList();
    void refreshRows(FieldRows& rows, const std::vector<PromptField>& fields, const std::vector<std::string>& core,
                     bool character);
    void fillAddMenu(FieldRows& rows, const std::vector<PromptField>& fields, const std::vector<std::string>& known,
                     bool character);
    void renumber();
    void edited();
    QString characterTitle(int index) const;

    PromptDocument m_doc;
    bool m_available{true};
    int m_current{-1};
    QLabel* m_status{nullptr};
    QWidget* m_content{nullptr};
    QListWidget* m_list{nullptr};
    QGroupBox* m_characterBox{nullptr};
    QLabel* m_kept{nullptr};
    std::vector<QToolButton*> m_characterButtons;  // remove, duplicate, up, down
    FieldRows m_characterRows;
    FieldRows m_generalRows;
};

}  // namespace studio::ui
