#include "studio/ui/PromptPanel.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "studio/Errors.h"
#include "studio/prompt/Prompt.h"
#include "studio/ui/ProblemsPanel.h"
#include "studio/ui/PromptFormView.h"
#include "studio/ui/XmlPromptEditor.h"

namespace studio::ui {

namespace {
QWidget* titled(const QString& title, QWidget* body) {
    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    auto* label = new QLabel(title);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    layout->addWidget(label);
    layout->addWidget(body, 1);
    return box;
}

QString menuTitle(const QString& prompt) {
    QString s = prompt.simplified();
    if (s.size() > 70) s = s.left(67) + QStringLiteral("...");
    return s.replace(QLatin1Char('&'), QStringLiteral("&&"));
}
}  // namespace

PromptPanel::PromptPanel(const QString& autosaveDir, QWidget* parent) : QWidget(parent) {
    m_autosave = new PromptAutosave(autosaveDir, this);
    m_tokenTimer = new QTimer(this);
    m_tokenTimer->setSingleShot(true);
    m_tokenTimer->setInterval(kTokenDelayMs);
    buildUi();
    rebuildTemplatesMenu();
    rebuildRecentMenu();

    connect(m_editor, &XmlPromptEditor::validated, this, &PromptPanel::onValidated);
    connect(m_form, &PromptFormView::documentEdited, this, &PromptPanel::onFormEdited);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        if (tab == FormTab) {
            if (m_editor->validationPending()) m_editor->validateNow();
            syncFormFromText();
        }
        scheduleAutosave();
    });
    connect(m_problems, &ProblemsPanel::problemActivated, this, [this](int line, int column) {
        m_tabs->setCurrentIndex(XmlTab);
        m_editor->goTo(line, column);
    });
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        scheduleAutosave();
        m_tokenTimer->start();
    });
    connect(m_negative, &QPlainTextEdit::textChanged, this, &PromptPanel::scheduleAutosave);
    connect(m_form, &PromptFormView::currentCharacterChanged, this, &PromptPanel::scheduleAutosave);
    connect(m_autosave, &PromptAutosave::recentChanged, this, &PromptPanel::rebuildRecentMenu);

    connect(m_tokenTimer, &QTimer::timeout, this, &PromptPanel::requestTokenCount);
    connect(&m_tokenWatcher, &QFutureWatcher<int>::finished, this, &PromptPanel::onTokenCountReady);
}

PromptPanel::~PromptPanel() {
    m_autosave->schedule(state());
    m_autosave->flush();
    m_tokenWatcher.waitForFinished();  // the counter may still hold the model's tokenizer
}

void PromptPanel::buildUi() {
    m_templatesMenu = new QMenu(tr("Templates"), this);
    m_recentMenu = new QMenu(tr("Recent prompts"), this);
    auto menuButton = [](const QString& text, QMenu* menu) {
        auto* b = new QToolButton;
        b->setText(text);
        b->setMenu(menu);
        b->setPopupMode(QToolButton::InstantPopup);
        return b;
    };
    m_tokens = new QLabel;
    m_tokens->setToolTip(tr("Tokens the prompt takes in the Gemma text encoder, system prompt included"));
    m_tokens->setVisible(false);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(menuButton(tr("Templates"), m_templatesMenu));
    bar->addWidget(menuButton(tr("Recent"), m_recentMenu));
    bar->addStretch(1);
    bar->addWidget(m_tokens);

    m_editor = new XmlPromptEditor;
    m_form = new PromptFormView;
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_editor, tr("XML"));
    m_tabs->addTab(m_form, tr("Form"));

    m_negative = new QPlainTextEdit;
    m_negative->setPlaceholderText(tr("Negative prompt (optional)"));
    m_negative->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_negative->setTabChangesFocus(true);
    m_problems = new ProblemsPanel;

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->setSpacing(2);
    topLayout->addLayout(bar);
    topLayout->addWidget(m_tabs, 1);

    m_splitter = new QSplitter(Qt::Vertical);
    m_splitter->setObjectName(QStringLiteral("promptSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(top);
    m_splitter->addWidget(titled(tr("Negative prompt"), m_negative));
    m_splitter->addWidget(titled(tr("Problems"), m_problems));
    m_splitter->setStretchFactor(0, 5);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 2);
    m_splitter->setSizes({440, 90, 150});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
}

void PromptPanel::setTagDatabase(std::shared_ptr<const TagDatabase> tags) { m_editor->setTagDatabase(std::move(tags)); }

void PromptPanel::setTokenCounter(TokenCounter counter) {
    m_counter = std::move(counter);
    requestTokenCount();
}

void PromptPanel::setModelDir(const QString& dir) {
    if (dir == m_modelDir) return;
    m_modelDir = dir;
    requestTokenCount();
}

QString PromptPanel::prompt() const { return m_editor->toPlainText(); }

void PromptPanel::setPrompt(const QString& text) { m_editor->replaceText(text); }

QString PromptPanel::negative() const { return m_negative->toPlainText(); }

void PromptPanel::setNegative(const QString& text) {
    if (text != m_negative->toPlainText()) m_negative->setPlainText(text);
}

// ---- text <-> form ----

void PromptPanel::onValidated() {
    m_problems->setIssues(m_editor->validation().issues);
    m_tabs->setTabText(XmlTab, m_problems->errorCount() > 0 ? tr("XML (%1)").arg(m_problems->errorCount()) : tr("XML"));
    if (m_tabs->currentIndex() == FormTab) syncFormFromText();
}

void PromptPanel::syncFormFromText() {
    if (m_syncing) return;
    const PromptValidation& v = m_editor->validation();
    if (prompt().trimmed().isEmpty()) {
        m_form->setDocument(PromptDocument{});
    } else if (v.document && v.document->is_xml) {
        if (!m_form->isAvailable() || *v.document != m_form->document()) m_form->setDocument(*v.document);
    } else if (v.document) {
        m_form->setUnavailable(tr("This prompt is plain text; the form edits XML prompts. Pick one under Templates "
                                  "to start an XML prompt."));
    } else {
        m_form->setUnavailable(tr("The XML has errors (see Problems). Fix them in the XML tab to edit the prompt "
                                  "as a form."));
    }
}

void PromptPanel::onFormEdited() {
    std::string text;
    try {
        text = serialize_prompt(m_form->document());
    } catch (const StudioError& e) {
        m_form->setUnavailable(QString::fromStdString(e.what()));
        return;
    }
    m_syncing = true;
    m_editor->replaceText(QString::fromStdString(text));
    m_syncing = false;
}

// ---- autosave, recent, templates ----

PromptState PromptPanel::state() const {
    PromptState s;
    s.prompt = prompt();
    s.negative = negative();
    s.editorTab = m_tabs->currentIndex();
    s.formCharacter = std::max(0, m_form->currentCharacter());
    s.cursorPosition = m_editor->textCursor().position();
    return s;
}

void PromptPanel::applyState(const PromptState& s) {
    m_editor->setPlainText(s.prompt);  // a restored session starts a fresh undo history
    setNegative(s.negative);
    m_editor->validateNow();
    QTextCursor c = m_editor->textCursor();
    c.setPosition(std::clamp(s.cursorPosition, 0, static_cast<int>(s.prompt.size())));
    m_editor->setTextCursor(c);
    m_tabs->setCurrentIndex(s.editorTab == FormTab ? FormTab : XmlTab);
    syncFormFromText();
    m_form->setCurrentCharacter(s.formCharacter);
}

bool PromptPanel::restoreAutosave() {
    const auto saved = m_autosave->load();
    if (!saved) return false;
    applyState(*saved);
    return true;
}

void PromptPanel::scheduleAutosave() { m_autosave->schedule(state()); }

void PromptPanel::addToRecent() { m_autosave->addRecent(prompt()); }

void PromptPanel::rebuildTemplatesMenu() {
    m_templatesMenu->clear();
    for (const std::string& name : prompt_template_names()) {
        const QString title = QString::fromStdString(name);
        m_templatesMenu->addAction(title, this, [this, name] {
            try {
                setPrompt(QString::fromStdString(prompt_template(name)));
            } catch (const StudioError&) {
                // Names come from prompt_template_names(), so this cannot fail in practice.
            }
        });
    }
}

void PromptPanel::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = m_autosave->recentPrompts();
    for (const QString& text : recent) m_recentMenu->addAction(menuTitle(text), this, [this, text] { setPrompt(text); });
    if (recent.isEmpty()) m_recentMenu->addAction(tr("No recent prompts"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear recent prompts"), m_autosave, &PromptAutosave::clearRecent)->setEnabled(!recent.isEmpty());
}

// ---- run gate ----

PromptPanel::RunCheck PromptPanel::checkBeforeRun() {
    if (m_editor->validationPending()) m_editor->validateNow();
    const PromptValidation& v = m_editor->validation();
    if (v.document || !looks_like_xml(prompt().toStdString())) return RunCheck::Ok;
    const LintIssue* error = nullptr;
    for (const LintIssue& issue : v.issues)
        if (issue.severity == LintSeverity::Error) {
            error = &issue;
            break;
        }
    QString message = tr("The prompt is not well-formed XML.");
    if (error) {
        message += QLatin1Char('\n');
        if (error->line > 0) message += tr("Line %1, column %2: ").arg(error->line).arg(error->column);
        message += QString::fromStdString(error->message);
    }
    if (askSendAsPlainText(message)) return RunCheck::SendAsPlainText;
    m_tabs->setCurrentIndex(XmlTab);
    if (error && error->line > 0) m_editor->goTo(error->line, error->column);
    return RunCheck::Blocked;
}

bool PromptPanel::askSendAsPlainText(const QString& message) {
    if (m_confirm) return m_confirm(message);
    QMessageBox box(QMessageBox::Warning, tr("The prompt is not valid XML"), message, QMessageBox::NoButton, this);
    box.setInformativeText(tr("NewBie binds attributes to characters through the XML structure. Fix the prompt, "
                              "or send the text unchanged as a plain-text prompt."));
    QAbstractButton* fix = box.addButton(tr("Fix the prompt"), QMessageBox::RejectRole);
    QAbstractButton* plain = box.addButton(tr("Send as plain text"), QMessageBox::AcceptRole);
    box.setDefaultButton(qobject_cast<QPushButton*>(fix));
    box.exec();
    return box.clickedButton() == plain;
}

// ---- token count ----

void PromptPanel::requestTokenCount() {
    if (!m_counter || m_modelDir.isEmpty()) {
        m_tokens->setVisible(false);
        m_tokenCount = -1;
        m_editor->setTokenCount(-1, kTokenLimit);
        return;
    }
    if (m_tokenWatcher.isRunning()) {
        m_tokenRecount = true;  // one more count when the running one ends
        return;
    }
    m_tokenRecount = false;
    const TokenCounter counter = m_counter;
    const std::string dir = m_modelDir.toStdString();
    const std::string text = prompt().toStdString();
    m_tokenWatcher.setFuture(QtConcurrent::run([counter, dir, text]() -> int {
        try {
            return counter(dir, text);
        } catch (...) {
            return -1;  // no tokenizer in that folder: the count is simply not shown
        }
    }));
}

void PromptPanel::onTokenCountReady() {
    if (m_tokenRecount) {
        requestTokenCount();
        return;
    }
    const int count = m_tokenWatcher.result();
    m_tokenCount = count;
    m_tokens->setVisible(count >= 0);
    if (count >= 0) {
        m_tokens->setText(tr("%1 / %2 tokens").arg(count).arg(kTokenLimit));
        m_tokens->setStyleSheet(count > kTokenLimit ? QStringLiteral("color: #d32f2f; font-weight: bold;") : QString());
    }
    m_editor->setTokenCount(count, kTokenLimit);
    Q_EMIT tokenCountChanged(count);
}

}  // namespace studio::ui
