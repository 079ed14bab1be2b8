#pragma once
// Keeps the prompt, the negative prompt and the form state on disk while the user types
// (debounced, atomic writes), so a restart or a crash loses nothing; also the list of
// recently run prompts.
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <optional>

namespace studio::ui {

struct PromptState {
    QString prompt;
    QString negative;
    int editorTab{0};        // 0 = XML text, 1 = form
    int formCharacter{0};    // selected character in the form
    int cursorPosition{0};   // in the XML text
    bool operator==(const PromptState& o) const {
        return prompt == o.prompt && negative == o.negative && editorTab == o.editorTab &&
               formCharacter == o.formCharacter && cursorPosition == o.cursorPosition;
    }
};

class PromptAutosave : public QObject {
    Q_OBJECT
public:
    static constexpr int kDelayMs = 800;
    static constexpr int kMaxRecent = 12;

    // `dir` empty = QStandardPaths::AppDataLocation.
    explicit PromptAutosave(const QString& dir = {}, QObject* parent = nullptr);
    ~PromptAutosave() override;  // writes what is pending

    QString filePath() const { return m_path; }
    std::optional<PromptState> load() const;  // nullopt when nothing was saved yet or the file is unreadable

    void schedule(const PromptState& state);  // written after kDelayMs without further changes
    bool flush();                             // writes a pending state now; false on I/O error
    bool pending() const { return m_timer.isActive(); }

    QStringList recentPrompts() const { return m_recent; }
    void addRecent(const QString& prompt);    // most recent first, no duplicates
    void clearRecent();

Q_SIGNALS:
    void recentChanged();
    void saveFailed(const QString& message);

private:
    bool write();

    QString m_path;
    PromptState m_state;
    bool m_haveState{false};
    QStringList m_recent;
    QTimer m_timer;
};

}  // namespace studio::ui
