#include "studio/ui/PromptFormView.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace studio::ui {

namespace {
int rankOf(const std::string& name, const std::vector<std::string>& order) {
    const auto it = std::find(order.begin(), order.end(), name);
    return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

// Sets, adds (at its canonical place) or removes (empty value) one field.
void assignField(std::vector<PromptField>& fields, const std::string& name, const QString& value,
                 const std::vector<std::string>& order) {
    const QString trimmed = value.trimmed();
    auto it = std::find_if(fields.begin(), fields.end(), [&](const PromptField& f) { return f.name == name; });
    if (trimmed.isEmpty()) {
        if (it != fields.end()) fields.erase(it);
        return;
    }
    if (it == fields.end()) {
        const int rank = rankOf(name, order);
        it = std::find_if(fields.begin(), fields.end(), [&](const PromptField& f) { return rankOf(f.name, order) > rank; });
        it = fields.insert(it, PromptField{name, {}, {}, 0, 0});
    }
    it->raw = trimmed.toStdString();
    it->tags = split_tags(it->raw, name);
}

const PromptField* findField(const std::vector<PromptField>& fields, const std::string& name) {
    for (const PromptField& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

QString fieldText(const PromptField& f) {
    if (is_free_text_field(f.name) || f.tags.empty()) return QString::fromStdString(f.raw);
    return QString::fromStdString(join_tags(f.tags));
}

// True when the edit already shows what the field holds (so typing is never interrupted).
bool editShows(const QLineEdit* edit, const PromptField* field) {
    if (!field) return edit->text().trimmed().isEmpty();
    if (is_free_text_field(field->name)) return edit->text().trimmed().toStdString() == field->raw;
    return split_tags(edit->text().toStdString(), field->name) == field->tags;
}

bool validFieldName(const QString& name) {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]*$"));
    return re.match(name).hasMatch();
}
}  // namespace

const std::vector<std::string>& PromptFormView::coreCharacterFields() {
    static const std::vector<std::string> f{"n", "gender", "appearance", "clothing", "expression", "action", "position"};
    return f;
}

const std::vector<std::string>& PromptFormView::coreGeneralFields() {
    static const std::vector<std::string> f{"count", "style", "background", "atmosphere", "quality", "objects", "other"};
    return f;
}

PromptFormView::PromptFormView(QWidget* parent) : QWidget(parent) {
    buildUi();
    refresh();
}

void PromptFormView::buildUi() {
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setVisible(false);

    m_list = new QListWidget;
    m_list->setMaximumHeight(96);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row == m_current) return;
        m_current = row;
        m_characterRows.pending.clear();
        refresh();
        Q_EMIT currentCharacterChanged(row);
    });
    auto* listRow = new QHBoxLayout;
    listRow->addWidget(m_list, 1);
    listRow->addWidget(buildCharacterButtons());
    auto* charactersBox = new QGroupBox(tr("Characters"));
    auto* charactersLayout = new QVBoxLayout(charactersBox);
    charactersLayout->addLayout(listRow);

    m_characterBox = new QGroupBox;
    m_characterRows.form = new QFormLayout(m_characterBox);
    buildCoreRows(m_characterRows, coreCharacterFields(), true);
    charactersLayout->addWidget(m_characterBox);

    auto* generalBox = new QGroupBox(tr("General tags"));
    m_generalRows.form = new QFormLayout(generalBox);
    buildCoreRows(m_generalRows, coreGeneralFields(), false);

    m_kept = new QLabel;
    m_kept->setWordWrap(true);
    m_kept->setForegroundRole(QPalette::PlaceholderText);

    m_content = new QWidget;
    auto* content = new QVBoxLayout(m_content);
    content->setContentsMargins(4, 4, 4, 4);
    content->addWidget(charactersBox);
    content->addWidget(generalBox);
    content->addWidget(m_kept);
    content->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_content);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_status);
    layout->addWidget(scroll, 1);
}

QWidget* PromptFormView::buildCharacterButtons() {
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto make = [&](const QString& text, const QString& tip, auto slot) {
        auto* b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        b->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        connect(b, &QToolButton::clicked, this, slot);
        column->addWidget(b);
        return b;
    };
    make(tr("Add"), tr("Add a character"), [this] { addCharacter(); });
    m_characterButtons = {
        make(tr("Remove"), tr("Remove the selected character"), [this] { removeCharacter(m_current); }),
        make(tr("Duplicate"), tr("Duplicate the selected character"), [this] { duplicateCharacter(m_current); }),
        make(QStringLiteral("\u25b2"), tr("Move up"), [this] { moveCharacter(m_current, m_current - 1); }),
        make(QStringLiteral("\u25bc"), tr("Move down"), [this] { moveCharacter(m_current, m_current + 1); }),
    };
    column->addStretch(1);
    return box;
}

void PromptFormView::buildCoreRows(FieldRows& rows, const std::vector<std::string>& names, bool character) {
    for (const std::string& n : names) {
        const QString name = QString::fromStdString(n);
        auto* edit = new QLineEdit;
        edit->setPlaceholderText(tr("comma-separated tags"));
        connect(edit, &QLineEdit::textEdited, this, [this, name, character](const QString& text) {
            if (character) setCharacterField(m_current, name, text);
            else setGeneralField(name, text);
        });
        rows.edits[name] = edit;
        rows.form->addRow(name, edit);
    }
    if (character) rows.edits[QStringLiteral("n")]->setPlaceholderText(tr("name"));
    rows.addButton = new QToolButton;
    rows.addButton->setText(tr("Add field"));
    rows.addButton->setPopupMode(QToolButton::InstantPopup);
    rows.addButton->setMenu(new QMenu(rows.addButton));
    rows.form->addRow(QString(), rows.addButton);
}

void PromptFormView::setDocument(const PromptDocument& doc) {
    m_doc = doc;
    m_available = true;
    m_status->setVisible(false);
    m_content->setEnabled(true);
    const int count = static_cast<int>(m_doc.characters.size());
    m_current = count == 0 ? -1 : std::clamp(m_current < 0 ? 0 : m_current, 0, count - 1);
    refresh();
}

void PromptFormView::setUnavailable(const QString& reason) {
    m_available = false;
    m_status->setText(reason);
    m_status->setVisible(true);
    m_content->setEnabled(false);
}

void PromptFormView::setCurrentCharacter(int index) {
    if (index < 0 || index >= static_cast<int>(m_doc.characters.size())) return;
    m_list->setCurrentRow(index);
}

QString PromptFormView::characterTitle(int index) const {
    const PromptCharacter& c = m_doc.characters[index];
    QString label = QString::number(c.index);
    for (const char* key : {"n", "gender"}) {
        if (const PromptField* f = c.find(key); f && !f->raw.empty()) {
            label += QStringLiteral(" \u00b7 ") + QString::fromStdString(f->raw);
            break;
        }
    }
    return label;
}

void PromptFormView::refreshList() {
    const QSignalBlocker guard(m_list);
    const int count = static_cast<int>(m_doc.characters.size());
    while (m_list->count() > count) delete m_list->takeItem(m_list->count() - 1);
    while (m_list->count() < count) m_list->addItem(QString());
    for (int i = 0; i < count; ++i)
        if (m_list->item(i)->text() != characterTitle(i)) m_list->item(i)->setText(characterTitle(i));
    m_list->setCurrentRow(m_current);
}

void PromptFormView::refresh() {
    refreshList();
    const bool haveCharacter = m_current >= 0;
    m_characterBox->setEnabled(haveCharacter);
    m_characterBox->setTitle(haveCharacter ? tr("Character %1").arg(m_doc.characters[m_current].index)
                                           : tr("No character: press Add"));
    const int count = static_cast<int>(m_doc.characters.size());
    m_characterButtons[0]->setEnabled(haveCharacter);
    m_characterButtons[1]->setEnabled(haveCharacter);
    m_characterButtons[2]->setEnabled(m_current > 0);
    m_characterButtons[3]->setEnabled(haveCharacter && m_current < count - 1);
    static const std::vector<PromptField> none;
    refreshRows(m_characterRows, haveCharacter ? m_doc.characters[m_current].fields : none, coreCharacterFields(), true);
    refreshRows(m_generalRows, m_doc.general_tags, coreGeneralFields(), false);
    const QStringList kept = keptElementNames();
    m_kept->setVisible(!kept.isEmpty());
    m_kept->setText(tr("Also in the prompt, kept as written: %1").arg(kept.join(QStringLiteral(", "))));
}

void PromptFormView::refreshRows(FieldRows& rows, const std::vector<PromptField>& fields,
                                 const std::vector<std::string>& core, bool character) {
    QStringList extras;
    for (const PromptField& f : fields)
        if (rankOf(f.name, core) == static_cast<int>(core.size()) && !extras.contains(QString::fromStdString(f.name)))
            extras << QString::fromStdString(f.name);
    for (const QString& name : rows.pending)
        if (!extras.contains(name)) extras << name;
    if (extras != rows.extras) {
        for (const QString& name : rows.extras) {
            rows.form->removeRow(rows.edits[name]);
            rows.edits.erase(name);
        }
        const int addRow = rows.form->rowCount() - 1;  // extra rows go above "Add field"
        for (int i = 0; i < extras.size(); ++i) {
            const QString name = extras[i];
            auto* edit = new QLineEdit;
            connect(edit, &QLineEdit::textEdited, this, [this, name, character](const QString& text) {
                if (character) setCharacterField(m_current, name, text);
                else setGeneralField(name, text);
            });
            rows.edits[name] = edit;
            rows.form->insertRow(addRow + i, name, edit);
        }
        rows.extras = extras;
    }
    for (auto& [name, edit] : rows.edits) {
        const PromptField* field = findField(fields, name.toStdString());
        if (!editShows(edit, field)) edit->setText(field ? fieldText(*field) : QString());
    }
    fillAddMenu(rows, fields, character ? known_character_fields() : known_general_fields(), character);
}

void PromptFormView::fillAddMenu(FieldRows& rows, const std::vector<PromptField>& fields,
                                 const std::vector<std::string>& known, bool character) {
    QMenu* menu = rows.addButton->menu();
    menu->clear();
    // The new row starts empty; the field reaches the document once it has a value.
    auto add = [this, character](const QString& name) {
        FieldRows& r = character ? m_characterRows : m_generalRows;
        if (!r.pending.contains(name)) r.pending << name;
        refresh();
        if (auto it = r.edits.find(name); it != r.edits.end()) it->second->setFocus();
    };
    for (const std::string& n : known) {
        if (findField(fields, n) || rows.edits.count(QString::fromStdString(n))) continue;
        const QString name = QString::fromStdString(n);
        menu->addAction(name, this, [add, name] { add(name); });
    }
    menu->addSeparator();
    menu->addAction(tr("Other..."), this, [this, add] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Add field"), tr("Element name:"), QLineEdit::Normal, {}, &ok).trimmed();
        if (ok && validFieldName(name)) add(name);
    });
}

QLineEdit* PromptFormView::characterFieldEdit(const QString& name) const {
    auto it = m_characterRows.edits.find(name);
    return it == m_characterRows.edits.end() ? nullptr : it->second;
}

QLineEdit* PromptFormView::generalFieldEdit(const QString& name) const {
    auto it = m_generalRows.edits.find(name);
    return it == m_generalRows.edits.end() ? nullptr : it->second;
}

QStringList PromptFormView::keptElementNames() const {
    QStringList names;
    for (const PromptField& f : m_doc.extra_elements)
        names << (f.name.empty() ? tr("free text") : QStringLiteral("<%1>").arg(QString::fromStdString(f.name)));
    return names;
}

void PromptFormView::renumber() {
    for (size_t i = 0; i < m_doc.characters.size(); ++i) {
        m_doc.characters[i].index = static_cast<int>(i) + 1;
        m_doc.characters[i].element = "character_" + std::to_string(i + 1);
    }
}

void PromptFormView::edited() {
    refresh();
    Q_EMIT documentEdited();
}

void PromptFormView::addCharacter() {
    PromptCharacter c;
    m_doc.is_xml = true;
    m_doc.characters.push_back(c);
    renumber();
    m_current = static_cast<int>(m_doc.characters.size()) - 1;
    edited();
    Q_EMIT currentCharacterChanged(m_current);
}

void PromptFormView::removeCharacter(int index) {
    if (index < 0 || index >= static_cast<int>(m_doc.characters.size())) return;
    m_doc.characters.erase(m_doc.characters.begin() + index);
    renumber();
    m_current = std::min(index, static_cast<int>(m_doc.characters.size()) - 1);
    edited();
    Q_EMIT currentCharacterChanged(m_current);
}

void PromptFormView::duplicateCharacter(int index) {
    if (index < 0 || index >= static_cast<int>(m_doc.characters.size())) return;
    const PromptCharacter copy = m_doc.characters[index];
    m_doc.characters.insert(m_doc.characters.begin() + index + 1, copy);
    renumber();
    m_current = index + 1;
    edited();
    Q_EMIT currentCharacterChanged(m_current);
}

void PromptFormView::moveCharacter(int from, int to) {
    const int count = static_cast<int>(m_doc.characters.size());
    if (from < 0 || from >= count || to < 0 || to >= count || from == to) return;
    std::swap(m_doc.characters[from], m_doc.characters[to]);
    renumber();
    m_current = to;
    edited();
    Q_EMIT currentCharacterChanged(m_current);
}

void PromptFormView::setCharacterField(int index, const QString& name, const QString& value) {
    if (index < 0 || index >= static_cast<int>(m_doc.characters.size())) return;
    assignField(m_doc.characters[index].fields, name.toStdString(), value, known_character_fields());
    if (name == QStringLiteral("n") || name == QStringLiteral("gender")) refreshList();
    Q_EMIT documentEdited();
}

void PromptFormView::setGeneralField(const QString& name, const QString& value) {
    assignField(m_doc.general_tags, name.toStdString(), value, known_general_fields());
    Q_EMIT documentEdited();
}

}  // namespace studio::ui
