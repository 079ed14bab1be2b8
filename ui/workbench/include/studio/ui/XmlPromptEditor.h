#pragma once
// The XML prompt editor: line numbers, syntax colours, validation while typing (debounced)
// with wavy underlines at the reported line/column, and tag completion for the field the
// cursor is in.
#include <QList>
#include <QPlainTextEdit>
#include <QTimer>

#include <memory>

#include "studio/prompt/PromptLint.h"

class QCompleter;
class QStandardItemModel;

namespace studio {
class TagDatabase;
}

namespace studio::ui {

class XmlHighlighter;

class XmlPromptEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    static constexpr int kValidationDelayMs = 300;
    static constexpr int kCompletionLimit = 15;

    explicit XmlPromptEditor(QWidget* parent = nullptr);
    ~XmlPromptEditor() override;

    void setTagDatabase(std::shared_ptr<const TagDatabase> tags);
    // Lets validation check the length (the "too-long" lint); count < 0 = unknown.
    void setTokenCount(int count, int limit);

    // Replaces the text as one undoable edit (the form view uses this).
    void replaceText(const QString& text);

    const PromptValidation& validation() const { return m_validation; }
    void validateNow();  // also what the debounce timer calls
    bool validationPending() const { return m_timer.isActive(); }

    // The wavy underlines currently shown, one per issue that has a position.
    QList<QTextEdit::ExtraSelection> diagnosticSelections() const { return m_diagnostics; }

    // Moves the cursor to a 1-based line and code-point column and focuses the editor.
    void goTo(int line, int column);
    // Cursor position of a 1-based line / code-point column (clamped into the document).
    int positionOf(int line, int column) const;

    // What completion would offer here: the field (innermost open element) and the prefix.
    QString fieldAtCursor() const;
    QString prefixAtCursor() const;
    QStringList updateCompletions();  // fills the completion list here; returns the texts it would insert
    QCompleter* completer() const { return m_completer; }
    void showCompletions();                  // Ctrl+Space

    int lineNumberAreaWidth() const;
    XmlHighlighter* highlighter() const { return m_highlighter; }

Q_SIGNALS:
    void validated();  // validation() was refreshed

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    friend class LineNumberArea;
    static constexpr int kInsertRole = Qt::UserRole;         // completion: text that replaces the prefix
    static constexpr int kCursorBackRole = Qt::UserRole + 1;  // completion: characters to step back after it
    static bool isPrefixDelimiter(QChar c);                   // , < > and the full-width comma
    void setupCompleter();                                    // XmlPromptCompletion.cpp
    void paintLineNumbers(QPaintEvent* event);
    void updateLineNumberAreaWidth();
    void updateLineNumberArea(const QRect& rect, int dy);
    void updateSelections();
    void rebuildDiagnostics();
    QTextCursor issueCursor(const LintIssue& issue) const;
    void insertCompletion(const QString& completion);
    int prefixStart() const;

    QWidget* m_lineNumbers{nullptr};
    XmlHighlighter* m_highlighter{nullptr};
    QCompleter* m_completer{nullptr};
    QStandardItemModel* m_completionModel{nullptr};
    std::shared_ptr<const TagDatabase> m_tags;
    QTimer m_timer;
    PromptValidation m_validation;
    QList<QTextEdit::ExtraSelection> m_diagnostics;
    QList<int> m_issueOfSelection;  // index into m_validation.issues per diagnostic selection
    int m_tokenCount{-1};
    int m_tokenLimit{512};
};

}  // namespace studio::ui
