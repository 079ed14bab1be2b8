#pragma once
// The left side of the window: the prompt as XML text or as a form (kept in sync both
// ways), the negative prompt, the token count, templates, recent prompts and the list of
// problems. Owns the autosave of all of it.
#include <QFutureWatcher>
#include <QWidget>

#include <functional>
#include <memory>
#include <string>

#include "studio/ui/PromptAutosave.h"

class QLabel;
class QMenu;
class QPlainTextEdit;
class QSplitter;
class QTabWidget;

namespace studio {
class TagDatabase;
}

namespace studio::ui {

class ProblemsPanel;
class PromptFormView;
class XmlPromptEditor;

// Tokens the prompt takes in the text encoder; may throw. Runs off the UI thread.
using TokenCounter = std::function<int(const std::string& modelDir, const std::string& prompt)>;

class PromptPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kTokenLimit = 512;       // Gemma's truncation length in the reference pipeline
    static constexpr int kTokenDelayMs = 400;
    enum Tab { XmlTab = 0, FormTab = 1 };
    enum class RunCheck { Ok, Blocked, SendAsPlainText };

    // `autosaveDir` empty = the user's data folder.
    explicit PromptPanel(const QString& autosaveDir = {}, QWidget* parent = nullptr);
    ~PromptPanel() override;

    void setTagDatabase(std::shared_ptr<const TagDatabase> tags);
    void setTokenCounter(TokenCounter counter);
    void setModelDir(const QString& dir);  // recounts tokens

    QString prompt() const;
    void setPrompt(const QString& text);  // one undoable edit
    QString negative() const;
    void setNegative(const QString& text);

    // Restores the last session (after a restart or a crash); false when there was none.
    bool restoreAutosave();
    PromptState state() const;
    void applyState(const PromptState& state);
    PromptAutosave* autosave() const { return m_autosave; }
    void addToRecent();  // the current prompt, called when a job is queued

    // Before a run: Ok, or for malformed XML the user's choice between fixing it and
    // sending it unchanged as plain text (asked through the confirmation hook).
    RunCheck checkBeforeRun();
    // Returns true to send as plain text. Default: a message box.
    void setPlainTextConfirmation(std::function<bool(const QString& message)> confirm) { m_confirm = std::move(confirm); }

    XmlPromptEditor* editor() const { return m_editor; }
    PromptFormView* form() const { return m_form; }
    ProblemsPanel* problems() const { return m_problems; }
    QPlainTextEdit* negativeEdit() const { return m_negative; }
    QTabWidget* tabs() const { return m_tabs; }
    QLabel* tokenLabel() const { return m_tokens; }
    QMenu* templatesMenu() const { return m_templatesMenu; }
    QMenu* recentMenu() const { return m_recentMenu; }
    QSplitter* splitter() const { return m_splitter; }
    int tokenCount() const { return m_tokenCount; }

Q_SIGNALS:
    void tokenCountChanged(int count);  // -1 = unknown

private:
    void buildUi();
    void onValidated();
    void onFormEdited();
    void syncFormFromText();
    void scheduleAutosave();
    void requestTokenCount();
    void onTokenCountReady();
    void rebuildTemplatesMenu();
    void rebuildRecentMenu();
    bool askSendAsPlainText(const QString& message);

    XmlPromptEditor* m_editor{nullptr};
    PromptFormView* m_form{nullptr};
    ProblemsPanel* m_problems{nullptr};
    QPlainTextEdit* m_negative{nullptr};
    QTabWidget* m_tabs{nullptr};
    QSplitter* m_splitter{nullptr};
    QLabel* m_tokens{nullptr};
    QMenu* m_templatesMenu{nullptr};
    QMenu* m_recentMenu{nullptr};
    PromptAutosave* m_autosave{nullptr};
    std::function<bool(const QString&)> m_confirm;

    TokenCounter m_counter;
    QString m_modelDir;
    QTimer* m_tokenTimer{nullptr};
    QFutureWatcher<int> m_tokenWatcher;
    bool m_tokenRecount{false};
    int m_tokenCount{-1};
    bool m_syncing{false};  // a form edit is being written into the text
};

}  // namespace studio::ui
