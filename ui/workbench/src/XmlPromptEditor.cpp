#include "studio/ui/XmlPromptEditor.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QTextBlock>
#include <QToolTip>

#include <map>

#include "studio/prompt/TagDatabase.h"
#include "studio/ui/XmlHighlighter.h"

namespace studio::ui {

namespace {
QColor severityColor(LintSeverity s) {
    switch (s) {
        case LintSeverity::Error: return QColor(0xe5, 0x39, 0x35);
        case LintSeverity::Warning: return QColor(0xf2, 0x9d, 0x0b);
        case LintSeverity::Info: return QColor(0x1e, 0x88, 0xe5);
    }
    return Qt::gray;
}

// UTF-16 index in `s` of a 1-based column counted in code points (the prompt library's unit).
int utf16Index(const QString& s, int column) {
    int i = 0;
    for (int cp = 1; cp < column && i < s.size(); ++cp)
        i += (s.at(i).isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate()) ? 2 : 1;
    return i;
}
}  // namespace

class LineNumberArea : public QWidget {
public:
    explicit LineNumberArea(XmlPromptEditor* editor) : QWidget(editor), m_editor(editor) {}
    QSize sizeHint() const override { return {m_editor->lineNumberAreaWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { m_editor->paintLineNumbers(event); }

private:
    XmlPromptEditor* m_editor;
};

XmlPromptEditor::XmlPromptEditor(QWidget* parent) : QPlainTextEdit(parent) {
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setTabChangesFocus(false);
    setPlaceholderText(tr("<character_1>\n  <n>...</n>\n  <gender>1girl</gender>\n</character_1>"));
    m_lineNumbers = new LineNumberArea(this);
    m_highlighter = new XmlHighlighter(document());

    setupCompleter();

    m_timer.setSingleShot(true);
    m_timer.setInterval(kValidationDelayMs);
    connect(&m_timer, &QTimer::timeout, this, &XmlPromptEditor::validateNow);
    connect(this, &QPlainTextEdit::textChanged, this, [this] { m_timer.start(); });
    connect(this, &QPlainTextEdit::blockCountChanged, this, &XmlPromptEditor::updateLineNumberAreaWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &XmlPromptEditor::updateLineNumberArea);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &XmlPromptEditor::updateSelections);
    updateLineNumberAreaWidth();
    updateSelections();
}

XmlPromptEditor::~XmlPromptEditor() = default;

void XmlPromptEditor::setTagDatabase(std::shared_ptr<const TagDatabase> tags) {
    m_tags = std::move(tags);
    m_timer.start();
}

void XmlPromptEditor::setTokenCount(int count, int limit) {
    if (count == m_tokenCount && limit == m_tokenLimit) return;
    m_tokenCount = count;
    m_tokenLimit = limit;
    m_timer.start();
}

void XmlPromptEditor::replaceText(const QString& text) {
    if (text == toPlainText()) return;
    const int position = textCursor().position();
    QTextCursor c(document());
    c.beginEditBlock();
    c.select(QTextCursor::Document);
    c.insertText(text);
    c.endEditBlock();
    c.setPosition(std::min(position, static_cast<int>(document()->characterCount()) - 1));
    setTextCursor(c);
}

// ---- validation marks ----

void XmlPromptEditor::validateNow() {
    m_timer.stop();
    m_validation = validate_prompt(toPlainText().toStdString(), m_tags.get(), m_tokenCount, m_tokenLimit);
    rebuildDiagnostics();
    updateSelections();
    m_lineNumbers->update();
    Q_EMIT validated();
}

int XmlPromptEditor::positionOf(int line, int column) const {
    QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    if (!block.isValid()) block = document()->lastBlock();
    return block.position() + std::min(utf16Index(block.text(), std::max(1, column)), static_cast<int>(block.text().size()));
}

QTextCursor XmlPromptEditor::issueCursor(const LintIssue& issue) const {
    QTextBlock block = document()->findBlockByNumber(issue.line - 1);
    if (!block.isValid()) block = document()->lastBlock();
    const QString text = block.text();
    int start = std::min(utf16Index(text, std::max(1, issue.column)), static_cast<int>(text.size()));
    int end = start;
    if (start < text.size() && text.at(start) == QLatin1Char('<')) {
        const int gt = text.indexOf(QLatin1Char('>'), start);
        end = gt < 0 ? text.size() : gt + 1;
    } else {
        while (end < text.size() && !isPrefixDelimiter(text.at(end))) ++end;
        while (end > start && text.at(end - 1).isSpace()) --end;
    }
    if (end == start) {  // at the end of a line, or on a delimiter: mark one visible character
        if (start >= text.size() && start > 0) --start;
        end = std::min(static_cast<int>(text.size()), start + 1);
    }
    QTextCursor c(document());
    c.setPosition(block.position() + start);
    c.setPosition(block.position() + end, QTextCursor::KeepAnchor);
    return c;
}

void XmlPromptEditor::rebuildDiagnostics() {
    m_diagnostics.clear();
    m_issueOfSelection.clear();
    for (int i = 0; i < static_cast<int>(m_validation.issues.size()); ++i) {
        const LintIssue& issue = m_validation.issues[i];
        if (issue.line <= 0) continue;
        QTextEdit::ExtraSelection sel;
        sel.cursor = issueCursor(issue);
        sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        sel.format.setUnderlineColor(severityColor(issue.severity));
        if (issue.severity != LintSeverity::Info) {  // a thin wave alone is easy to miss
            QColor tint = severityColor(issue.severity);
            tint.setAlpha(issue.severity == LintSeverity::Error ? 48 : 36);
            sel.format.setBackground(tint);
        }
        sel.format.setToolTip(QString::fromStdString(issue.message));
        m_diagnostics << sel;
        m_issueOfSelection << i;
    }
}

void XmlPromptEditor::updateSelections() {
    QList<QTextEdit::ExtraSelection> all;
    if (!isReadOnly()) {
        QTextEdit::ExtraSelection line;
        QColor bg = palette().color(QPalette::Highlight);
        bg.setAlpha(28);
        line.format.setBackground(bg);
        line.format.setProperty(QTextFormat::FullWidthSelection, true);
        line.cursor = textCursor();
        line.cursor.clearSelection();
        all << line;
    }
    all << m_diagnostics;
    setExtraSelections(all);
}

bool XmlPromptEditor::isPrefixDelimiter(QChar c) {
    return c == QLatin1Char(',') || c == QLatin1Char('<') || c == QLatin1Char('>') || c == QChar(0xFF0C);
}

bool XmlPromptEditor::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int pos = cursorForPosition(help->pos()).position();
        QStringList messages;
        for (int k = 0; k < m_diagnostics.size(); ++k) {
            const QTextCursor& c = m_diagnostics[k].cursor;
            if (pos >= c.selectionStart() && pos <= c.selectionEnd()) {
                const LintIssue& issue = m_validation.issues[m_issueOfSelection[k]];
                messages << QStringLiteral("%1: %2").arg(QString::fromLatin1(lint_severity_name(issue.severity)),
                                                         QString::fromStdString(issue.message));
            }
        }
        if (messages.isEmpty()) QToolTip::hideText();
        else QToolTip::showText(help->globalPos(), messages.join(QLatin1Char('\n')), this);
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

void XmlPromptEditor::changeEvent(QEvent* event) {
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        m_highlighter->setDarkBackground(palette().color(QPalette::Base).lightness() < 128);
}

void XmlPromptEditor::goTo(int line, int column) {
    QTextCursor c(document());
    c.setPosition(positionOf(line, column));
    setTextCursor(c);
    centerCursor();
    setFocus(Qt::OtherFocusReason);
}

// ---- line numbers ----

int XmlPromptEditor::lineNumberAreaWidth() const {
    int digits = 1;
    for (int max = std::max(1, blockCount()); max >= 10; max /= 10) ++digits;
    return 14 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(2, digits);
}

void XmlPromptEditor::updateLineNumberAreaWidth() { setViewportMargins(lineNumberAreaWidth(), 0, 0, 0); }

void XmlPromptEditor::updateLineNumberArea(const QRect& rect, int dy) {
    if (dy) m_lineNumbers->scroll(0, dy);
    else m_lineNumbers->update(0, rect.y(), m_lineNumbers->width(), rect.height());
    if (rect.contains(viewport()->rect())) updateLineNumberAreaWidth();
}

void XmlPromptEditor::resizeEvent(QResizeEvent* event) {
    QPlainTextEdit::resizeEvent(event);
    const QRect cr = contentsRect();
    m_lineNumbers->setGeometry(QRect(cr.left(), cr.top(), lineNumberAreaWidth(), cr.height()));
}

void XmlPromptEditor::paintLineNumbers(QPaintEvent* event) {
    QPainter p(m_lineNumbers);
    p.fillRect(event->rect(), palette().color(QPalette::AlternateBase));
    std::map<int, LintSeverity> worst;  // line -> most severe issue
    for (const LintIssue& issue : m_validation.issues) {
        if (issue.line <= 0) continue;
        auto it = worst.find(issue.line);
        if (it == worst.end() || issue.severity < it->second) worst[issue.line] = issue.severity;
    }
    QTextBlock block = firstVisibleBlock();
    int number = block.blockNumber();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int lineHeight = fontMetrics().height();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            if (auto it = worst.find(number + 1); it != worst.end()) {
                p.setPen(Qt::NoPen);
                p.setBrush(severityColor(it->second));
                p.drawEllipse(QPointF(5, top + lineHeight / 2.0), 3, 3);
            }
            p.setPen(number == textCursor().blockNumber() ? palette().color(QPalette::Text)
                                                          : palette().color(QPalette::PlaceholderText));
            p.drawText(0, top, m_lineNumbers->width() - 4, lineHeight, Qt::AlignRight, QString::number(number + 1));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
        ++number;
    }
}

}  // namespace studio::ui
