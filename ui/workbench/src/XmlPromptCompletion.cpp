// XmlPromptEditor: tag and element-name completion for the field under the cursor.
#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>

#include "studio/prompt/PromptDocument.h"
#include "studio/prompt/TagDatabase.h"
#include "studio/ui/XmlPromptEditor.h"

namespace studio::ui {

namespace {
QString formatCount(int64_t n) {
    if (n >= 1000000) return QStringLiteral("%1M").arg(n / 1e6, 0, 'f', 1);
    if (n >= 1000) return QStringLiteral("%1k").arg(n / 1e3, 0, 'f', n >= 10000 ? 0 : 1);
    return QString::number(n);
}
}  // namespace

void XmlPromptEditor::setupCompleter() {
    m_completionModel = new QStandardItemModel(this);
    m_completer = new QCompleter(this);
    m_completer->setModel(m_completionModel);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setMaxVisibleItems(10);
    connect(m_completer, qOverload<const QModelIndex&>(&QCompleter::activated), this, [this](const QModelIndex& index) {
        const int back = index.data(kCursorBackRole).toInt();
        insertCompletion(index.data(kInsertRole).toString());
        if (back > 0) {
            QTextCursor c = textCursor();
            c.movePosition(QTextCursor::PreviousCharacter, QTextCursor::MoveAnchor, back);
            setTextCursor(c);
        }
    });
}

int XmlPromptEditor::prefixStart() const {
    const QTextCursor c = textCursor();
    const QString text = c.block().text();
    int i = c.positionInBlock();
    while (i > 0 && !isPrefixDelimiter(text.at(i - 1))) --i;
    if (i > 0 && text.at(i - 1) == QLatin1Char('<')) return c.block().position() + i;  // element name
    while (i < c.positionInBlock() && text.at(i).isSpace()) ++i;
    return c.block().position() + i;
}

QString XmlPromptEditor::prefixAtCursor() const {
    const int start = prefixStart();
    const int end = textCursor().position();
    return document()->toPlainText().mid(start, end - start);
}

QString XmlPromptEditor::fieldAtCursor() const {
    static const QRegularExpression tagRe(QStringLiteral("<(/?)([A-Za-z_][\\w.:-]*)[^<>]*?(/?)>"));
    const QString before = document()->toPlainText().left(textCursor().position());
    QStringList stack;
    auto it = tagRe.globalMatch(before);
    while (it.hasNext()) {
        const auto m = it.next();
        const QString name = m.captured(2);
        if (!m.captured(3).isEmpty()) continue;  // <empty/>
        if (m.captured(1).isEmpty()) {
            stack << name;
        } else {
            const int open = stack.lastIndexOf(name);
            if (open >= 0) stack.erase(stack.begin() + open, stack.end());
        }
    }
    return stack.isEmpty() ? QString() : stack.last();
}

QStringList XmlPromptEditor::updateCompletions() {
    QStringList out;
    m_completionModel->clear();
    const QString prefix = prefixAtCursor();
    const int start = prefixStart();
    const QString field = fieldAtCursor();
    const QString text = document()->toPlainText();
    auto addRow = [this](const QString& display, const QString& insert, int back, const QString& tip) {
        auto* item = new QStandardItem(display);
        item->setData(insert, kInsertRole);
        item->setData(back, kCursorBackRole);
        if (!tip.isEmpty()) item->setToolTip(tip);
        m_completionModel->appendRow(item);
    };
    if (start > 0 && text.at(start - 1) == QLatin1Char('<')) {
        // Element names: the fields that belong where the cursor is.
        std::vector<std::string> names;
        if (field.startsWith(QStringLiteral("character"))) names = known_character_fields();
        else if (field == QStringLiteral("general_tags")) names = known_general_fields();
        else names = {"character_1", "general_tags"};
        for (const std::string& n : names) {
            const QString name = QString::fromStdString(n);
            if (!name.startsWith(prefix, Qt::CaseInsensitive)) continue;
            const QString closing = QStringLiteral("</%1>").arg(name);
            addRow(name, name + QLatin1Char('>') + closing, static_cast<int>(closing.size()), {});
            out << name;
        }
    } else if (m_tags && prefix.size() >= 2) {
        for (const TagInfo* info : m_tags->complete(prefix.toStdString(), field.toStdString(), kCompletionLimit)) {
            const QString tag = QString::fromStdString(info->tag);
            QString display = tag;
            if (!info->category.empty() || info->count > 0)
                display += QStringLiteral("    %1 %2").arg(QString::fromStdString(info->category), formatCount(info->count));
            QStringList aliases;
            for (const auto& a : info->aliases) aliases << QString::fromStdString(a);
            addRow(display, tag, 0, aliases.isEmpty() ? QString() : tr("Aliases: %1").arg(aliases.join(", ")));
            out << tag;
        }
    }
    return out;
}

void XmlPromptEditor::showCompletions() {
    if (updateCompletions().isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    QAbstractItemView* popup = m_completer->popup();
    m_completer->setCompletionPrefix(QString());
    popup->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(std::min(480, popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width() + 8));
    m_completer->complete(rect);
}

void XmlPromptEditor::insertCompletion(const QString& completion) {
    QTextCursor c = textCursor();
    const int end = c.position();
    c.setPosition(prefixStart());
    c.setPosition(end, QTextCursor::KeepAnchor);
    c.insertText(completion);
    setTextCursor(c);
}

void XmlPromptEditor::keyPressEvent(QKeyEvent* event) {
    const bool popupVisible = m_completer->popup()->isVisible();
    if (popupVisible) {
        switch (event->key()) {
            case Qt::Key_Enter:
            case Qt::Key_Return:
            case Qt::Key_Escape:
            case Qt::Key_Tab:
            case Qt::Key_Backtab:
                event->ignore();  // the completer's popup handles these
                return;
            default: break;
        }
    }
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        showCompletions();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    const bool plainTyping = !typed.isEmpty() && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier));
    if (!plainTyping && event->key() != Qt::Key_Backspace) {
        if (popupVisible) m_completer->popup()->hide();
        return;
    }
    const QChar last = typed.isEmpty() ? QChar() : typed.back();
    if (isPrefixDelimiter(last) && last != QLatin1Char('<')) {
        m_completer->popup()->hide();
        return;
    }
    const int start = prefixStart();
    const bool elementName = start > 0 && document()->characterAt(start - 1) == QLatin1Char('<');
    if (elementName || prefixAtCursor().size() >= 2) showCompletions();
    else m_completer->popup()->hide();
}

}  // namespace studio::ui
