#pragma once
// Syntax colours for NewBie XML prompts: angle brackets, element names, attributes, the tag
// values between elements (commas dimmed) and <!-- comments --> across lines. Colours are
// picked from the palette's lightness so they read on light and dark themes.
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace studio::ui {

class XmlHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    enum class Role { Bracket, Element, Attribute, Value, Separator, Comment };

    explicit XmlHighlighter(QTextDocument* document);
    void setDarkBackground(bool dark);  // re-colours and rehighlights
    const QTextCharFormat& format(Role role) const;

protected:
    void highlightBlock(const QString& text) override;

private:
    enum BlockState { Normal = 0, InComment = 1 };
    void highlightValues(const QString& text, int from, int to);
    int highlightTag(const QString& text, int start);  // returns the index after the tag

    QTextCharFormat m_formats[6];
};

}  // namespace studio::ui
