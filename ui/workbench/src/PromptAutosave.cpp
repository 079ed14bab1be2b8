#include "studio/ui/PromptAutosave.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace studio::ui {

namespace {
QJsonObject readObject(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    return doc.isObject() ? doc.object() : QJsonObject{};
}
}  // namespace

PromptAutosave::PromptAutosave(const QString& dir, QObject* parent) : QObject(parent) {
    const QString base = dir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : dir;
    m_path = QDir(base).filePath(QStringLiteral("autosave.json"));
    const QJsonObject saved = readObject(m_path);
    for (const QJsonValue& v : saved.value("recent").toArray())
        if (v.isString() && !v.toString().isEmpty()) m_recent << v.toString();
    if (auto state = load()) {
        m_state = *state;
        m_haveState = true;
    }
    m_timer.setSingleShot(true);
    m_timer.setInterval(kDelayMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { write(); });
}

PromptAutosave::~PromptAutosave() { flush(); }

std::optional<PromptState> PromptAutosave::load() const {
    const QJsonObject o = readObject(m_path);
    if (!o.contains("prompt")) return std::nullopt;
    PromptState s;
    s.prompt = o.value("prompt").toString();
    s.negative = o.value("negative").toString();
    s.editorTab = o.value("editorTab").toInt();
    s.formCharacter = o.value("formCharacter").toInt();
    s.cursorPosition = o.value("cursor").toInt();
    return s;
}

void PromptAutosave::schedule(const PromptState& state) {
    if (m_haveState && state == m_state) return;
    m_state = state;
    m_haveState = true;
    m_timer.start();
}

bool PromptAutosave::flush() {
    if (!m_timer.isActive()) return true;
    m_timer.stop();
    return write();
}

void PromptAutosave::addRecent(const QString& prompt) {
    if (prompt.trimmed().isEmpty()) return;
    m_recent.removeAll(prompt);
    m_recent.prepend(prompt);
    while (m_recent.size() > kMaxRecent) m_recent.removeLast();
    write();
    Q_EMIT recentChanged();
}

void PromptAutosave::clearRecent() {
    m_recent.clear();
    write();
    Q_EMIT recentChanged();
}

bool PromptAutosave::write() {
    QJsonObject o;
    o["version"] = 1;
    if (m_haveState) {
        o["prompt"] = m_state.prompt;
        o["negative"] = m_state.negative;
        o["editorTab"] = m_state.editorTab;
        o["formCharacter"] = m_state.formCharacter;
        o["cursor"] = m_state.cursorPosition;
    }
    o["recent"] = QJsonArray::fromStringList(m_recent);
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile f(m_path);  // temp file + rename: a crash mid-write keeps the previous state
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(o).toJson()) < 0 || !f.commit()) {
        Q_EMIT saveFailed(tr("Could not save the prompt to %1: %2").arg(m_path, f.errorString()));
        return false;
    }
    return true;
}

}  // namespace studio::ui
