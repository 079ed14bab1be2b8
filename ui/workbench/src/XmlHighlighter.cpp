#include "studio/ui/XmlHighlighter.h"

#include <QGuiApplication>
#include <QPalette>

namespace studio::ui {

XmlHighlighter::XmlHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {
    setDarkBackground(QGuiApplication::palette().color(QPalette::Base).lightness() < 128);
}

void XmlHighlighter::setDarkBackground(bool dark) {
    auto make = [](const char* color, bool bold = false, bool italic = false) {
        QTextCharFormat f;
        f.setForeground(QColor(QString::fromLatin1(color)));
        if (bold) f.setFontWeight(QFont::DemiBold);
        f.setFontItalic(italic);
        return f;
    };
    m_formats[static_cast<int>(Role::Bracket)] = make(dark ? "#8aa0b8" : "#5c6f84");
    m_formats[static_cast<int>(Role::Element)] = make(dark ? "#6cb6ff" : "#0b5cad", true);
    m_formats[static_cast<int>(Role::Attribute)] = make(dark ? "#e0a96d" : "#9a5b00");
    m_formats[static_cast<int>(Role::Value)] = make(dark ? "#d7e3d1" : "#1d5e20");
    m_formats[static_cast<int>(Role::Separator)] = make(dark ? "#7d8590" : "#8a8f96");
    m_formats[static_cast<int>(Role::Comment)] = make(dark ? "#8b949e" : "#6a737d", false, true);
    rehighlight();
}

const QTextCharFormat& XmlHighlighter::format(Role role) const { return m_formats[static_cast<int>(role)]; }

void XmlHighlighter::highlightBlock(const QString& text) {
    setCurrentBlockState(Normal);
    int i = 0;
    if (previousBlockState() == InComment) {
        const int end = text.indexOf(QStringLiteral("-->"));
        if (end < 0) {
            setFormat(0, text.size(), format(Role::Comment));
            setCurrentBlockState(InComment);
            return;
        }
        setFormat(0, end + 3, format(Role::Comment));
        i = end + 3;
    }
    while (i < text.size()) {
        const int lt = text.indexOf(QLatin1Char('<'), i);
        if (lt < 0) {
            highlightValues(text, i, text.size());
            break;
        }
        highlightValues(text, i, lt);
        if (text.mid(lt, 4) == QStringLiteral("<!--")) {
            const int end = text.indexOf(QStringLiteral("-->"), lt + 4);
            if (end < 0) {
                setFormat(lt, text.size() - lt, format(Role::Comment));
                setCurrentBlockState(InComment);
                return;
            }
            setFormat(lt, end + 3 - lt, format(Role::Comment));
            i = end + 3;
            continue;
        }
        i = highlightTag(text, lt);
    }
}

void XmlHighlighter::highlightValues(const QString& text, int from, int to) {
    for (int k = from; k < to; ++k) {
        const QChar c = text.at(k);
        if (c == QLatin1Char(',') || c == QChar(0xFF0C)) setFormat(k, 1, format(Role::Separator));
        else if (!c.isSpace()) setFormat(k, 1, format(Role::Value));
    }
}

int XmlHighlighter::highlightTag(const QString& text, int start) {
    int k = start + 1;
    if (k < text.size() && (text.at(k) == QLatin1Char('/') || text.at(k) == QLatin1Char('?'))) ++k;
    setFormat(start, k - start, format(Role::Bracket));
    const int nameStart = k;
    while (k < text.size() && !text.at(k).isSpace() && text.at(k) != QLatin1Char('>') && text.at(k) != QLatin1Char('/') &&
           text.at(k) != QLatin1Char('<'))
        ++k;
    setFormat(nameStart, k - nameStart, format(Role::Element));
    while (k < text.size() && text.at(k) != QLatin1Char('>') && text.at(k) != QLatin1Char('<')) {
        if (text.at(k) == QLatin1Char('/')) setFormat(k, 1, format(Role::Bracket));
        else if (!text.at(k).isSpace()) setFormat(k, 1, format(Role::Attribute));
        ++k;
    }
    if (k < text.size() && text.at(k) == QLatin1Char('>')) {
        setFormat(k, 1, format(Role::Bracket));
        ++k;
    }
    return k;
}

}  // namespace studio::ui
