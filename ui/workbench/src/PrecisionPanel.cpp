#include "studio/ui/PrecisionPanel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "studio/Errors.h"

namespace studio::ui {

const QString PrecisionPanel::kCustomPreset = QStringLiteral("Custom");

namespace {
constexpr auto kPrecisions = kAllPrecisions;  // fp32, tf32, bf16, fp16, autocast-bf16, autocast-fp16

QString precisionLabel(Precision p) {
    if (p == Precision::TF32) return QStringLiteral("tf32 (CUDA)");
    if (p == Precision::AutocastFP16) return QStringLiteral("autocast-fp16 (CUDA)");
    return QString::fromStdString(to_string(p));
}

const std::vector<std::pair<QString, PrecisionConfig>>& builtinPresets() {
    static const std::vector<std::pair<QString, PrecisionConfig>> presets{
        {QStringLiteral("All fp32"), PrecisionConfig::all_fp32()},
        {QStringLiteral("All bf16"), PrecisionConfig::all_bf16()},
        {QStringLiteral("Mixed"), PrecisionConfig::mixed()},
    };
    return presets;
}

const char* kPresetGroup = "precision/presets";
}  // namespace

PrecisionPanel::PrecisionPanel(QSettings* settings, QWidget* parent) : QWidget(parent), m_settings(settings) {
    m_configs[A] = PrecisionConfig::all_fp32();
    m_configs[B] = PrecisionConfig::all_bf16();
    loadUserPresets();
    buildUi();
    setConfig(A, m_configs[A]);
    setConfig(B, m_configs[B]);
}

void PrecisionPanel::buildUi() {
    auto* grid = new QGridLayout;
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(4);
    auto* headA = new QLabel(QStringLiteral("<b>A</b>"));
    auto* headB = new QLabel(QStringLiteral("<b>B</b>"));
    headA->setAlignment(Qt::AlignCenter);
    headB->setAlignment(Qt::AlignCenter);
    grid->addWidget(headA, 0, 1);
    grid->addWidget(headB, 0, 2);

    grid->addWidget(new QLabel(tr("Preset")), 1, 0);
    for (Column c : {A, B}) {
        m_presetCombo[c] = new QComboBox;
        m_presetCombo[c]->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        m_presetCombo[c]->setMinimumContentsLength(6);
        m_presetCombo[c]->setToolTip(tr("Apply a precision preset to column %1").arg(c == A ? "A" : "B"));
        grid->addWidget(m_presetCombo[c], 1, 1 + c);
        connect(m_presetCombo[c], qOverload<int>(&QComboBox::activated), this,
                [this, c](int index) { onPresetChosen(c, index); });
    }
    int row = 2;
    for (Module m : kAllModules) {
        grid->addWidget(new QLabel(QString::fromStdString(display_name(m))), row, 0);
        for (Column c : {A, B}) {
            auto* combo = new QComboBox;
            combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
            combo->setMinimumContentsLength(4);
            for (Precision p : kPrecisions) combo->addItem(precisionLabel(p), static_cast<int>(p));
            combo->setItemData(1, tr("TensorFloat-32 matmuls on CUDA; runs as fp32 on the CPU"), Qt::ToolTipRole);
            combo->setItemData(3, tr("Half precision; Gemma 3 is known to overflow in fp16"), Qt::ToolTipRole);
            combo->setItemData(4, tr("fp32 weights; libtorch autocast runs matmuls and convolutions in bf16 and keeps "
                                     "norms and reductions in fp32 (as torch.autocast)"), Qt::ToolTipRole);
            combo->setItemData(5, tr("fp32 weights; autocast to fp16 per op (CUDA only)"), Qt::ToolTipRole);
            m_combos[c][static_cast<int>(m)] = combo;
            grid->addWidget(combo, row, 1 + c);
            connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, c] { onModuleChanged(c); });
        }
        ++row;
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);

    m_presetMenuButton = new QToolButton;
    m_presetMenuButton->setText(tr("Presets"));
    m_presetMenuButton->setPopupMode(QToolButton::InstantPopup);
    m_presetMenuButton->setMenu(new QMenu(m_presetMenuButton));
    grid->addWidget(m_presetMenuButton, 0, 0, Qt::AlignLeft);  // the otherwise empty corner

    m_runA = new QPushButton(tr("Run A"));
    m_runB = new QPushButton(tr("Run B"));
    m_compare = new QPushButton(tr("Compare"));
    m_runA->setToolTip(tr("Generate with column A (Ctrl+R)"));
    m_runB->setToolTip(tr("Generate with column B (Ctrl+Shift+R)"));
    m_compare->setToolTip(tr("Generate A, then B with the same seed (Ctrl+Enter)"));
    m_compare->setDefault(true);
    auto* buttons = new QGridLayout;
    buttons->addWidget(m_runA, 0, 0);
    buttons->addWidget(m_runB, 0, 1);
    buttons->addWidget(m_compare, 1, 0, 1, 2);
    connect(m_runA, &QPushButton::clicked, this, &PrecisionPanel::runARequested);
    connect(m_runB, &QPushButton::clicked, this, &PrecisionPanel::runBRequested);
    connect(m_compare, &QPushButton::clicked, this, &PrecisionPanel::compareRequested);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(grid);
    layout->addLayout(buttons);
    refreshPresetCombos();
    rebuildPresetMenu();
}

PrecisionConfig PrecisionPanel::config(Column column) const { return m_configs[column]; }

void PrecisionPanel::setConfig(Column column, const PrecisionConfig& config) {
    m_configs[column] = config;
    m_updating = true;
    for (Module m : kAllModules) {
        QComboBox* combo = m_combos[column][static_cast<int>(m)];
        combo->setCurrentIndex(combo->findData(static_cast<int>(config.get(m))));
    }
    m_updating = false;
    syncPresetCombo(column);
    Q_EMIT configChanged(column);
}

QComboBox* PrecisionPanel::moduleCombo(Column column, Module module) const {
    return m_combos[column][static_cast<int>(module)];
}

void PrecisionPanel::onModuleChanged(Column column) {
    if (m_updating) return;
    for (Module m : kAllModules) {
        const auto p = static_cast<Precision>(moduleCombo(column, m)->currentData().toInt());
        if (p != m_configs[column].get(m)) m_configs[column].set(m, p, ValueSource::Settings);
    }
    syncPresetCombo(column);
    Q_EMIT configChanged(column);
}

QStringList PrecisionPanel::builtinPresetNames() const {
    QStringList names;
    for (const auto& [name, cfg] : builtinPresets()) names << name;
    return names;
}

QStringList PrecisionPanel::userPresetNames() const {
    QStringList names;
    for (const auto& [name, cfg] : m_userPresets) names << name;
    return names;
}

QStringList PrecisionPanel::presetNames() const { return builtinPresetNames() + userPresetNames(); }

std::optional<PrecisionConfig> PrecisionPanel::preset(const QString& name) const {
    for (const auto& [n, cfg] : builtinPresets())
        if (n == name) return cfg;
    for (const auto& [n, cfg] : m_userPresets)
        if (n == name) return cfg;
    return std::nullopt;
}

QString PrecisionPanel::presetName(Column column) const {
    for (const QString& name : presetNames())
        if (preset(name) == m_configs[column]) return name;
    return kCustomPreset;
}

bool PrecisionPanel::applyPreset(Column column, const QString& name) {
    auto cfg = preset(name);
    if (!cfg) return false;
    for (Module m : kAllModules) cfg->set(m, cfg->get(m), ValueSource::Settings);
    setConfig(column, *cfg);
    return true;
}

bool PrecisionPanel::saveUserPreset(const QString& rawName, const PrecisionConfig& config) {
    const QString name = rawName.trimmed();
    if (name.isEmpty() || name == kCustomPreset || builtinPresetNames().contains(name)) return false;
    auto it = std::find_if(m_userPresets.begin(), m_userPresets.end(), [&](const auto& p) { return p.first == name; });
    if (it != m_userPresets.end())
        it->second = config;
    else
        m_userPresets.emplace_back(name, config);
    storeUserPresets();
    return true;
}

bool PrecisionPanel::deleteUserPreset(const QString& name) {
    auto it = std::find_if(m_userPresets.begin(), m_userPresets.end(), [&](const auto& p) { return p.first == name; });
    if (it == m_userPresets.end()) return false;
    m_userPresets.erase(it);
    storeUserPresets();
    return true;
}

void PrecisionPanel::loadUserPresets() {
    m_userPresets.clear();
    if (!m_settings) return;
    const int n = m_settings->beginReadArray(kPresetGroup);
    for (int i = 0; i < n; ++i) {
        m_settings->setArrayIndex(i);
        const QString name = m_settings->value("name").toString().trimmed();
        try {
            const auto cfg = PrecisionConfig::parse(m_settings->value("spec").toString().toStdString(), ValueSource::Settings);
            if (!name.isEmpty()) m_userPresets.emplace_back(name, cfg);
        } catch (const StudioError&) {
            // A hand-edited, unreadable preset is skipped rather than breaking the panel.
        }
    }
    m_settings->endArray();
}

void PrecisionPanel::storeUserPresets() {
    if (m_settings) {
        m_settings->remove(kPresetGroup);
        m_settings->beginWriteArray(kPresetGroup, static_cast<int>(m_userPresets.size()));
        for (int i = 0; i < static_cast<int>(m_userPresets.size()); ++i) {
            m_settings->setArrayIndex(i);
            m_settings->setValue("name", m_userPresets[i].first);
            m_settings->setValue("spec", QString::fromStdString(m_userPresets[i].second.to_string()));
        }
        m_settings->endArray();
        m_settings->sync();
    }
    refreshPresetCombos();
    rebuildPresetMenu();
    Q_EMIT presetsChanged();
}

void PrecisionPanel::refreshPresetCombos() {
    for (Column c : {A, B}) {
        const QSignalBlocker guard(m_presetCombo[c]);
        m_presetCombo[c]->clear();
        m_presetCombo[c]->addItems(presetNames());
        syncPresetCombo(c);
    }
}

void PrecisionPanel::syncPresetCombo(Column column) {
    QComboBox* combo = m_presetCombo[column];
    if (!combo) return;
    const QSignalBlocker guard(combo);
    const int custom = combo->findText(kCustomPreset);
    const QString name = presetName(column);
    if (name == kCustomPreset && custom < 0) combo->addItem(kCustomPreset);
    if (name != kCustomPreset && custom >= 0) combo->removeItem(custom);
    combo->setCurrentIndex(combo->findText(name));
}

void PrecisionPanel::onPresetChosen(Column column, int index) {
    const QString name = m_presetCombo[column]->itemText(index);
    if (name != kCustomPreset) applyPreset(column, name);
}

void PrecisionPanel::rebuildPresetMenu() {
    QMenu* menu = m_presetMenuButton->menu();
    menu->clear();
    menu->addAction(tr("Save column A as preset..."), this, [this] { askSavePreset(A); });
    menu->addAction(tr("Save column B as preset..."), this, [this] { askSavePreset(B); });
    QMenu* del = menu->addMenu(tr("Delete preset"));
    del->setEnabled(!m_userPresets.empty());
    for (const QString& name : userPresetNames()) del->addAction(name, this, [this, name] { deleteUserPreset(name); });
}

void PrecisionPanel::askSavePreset(Column column) {
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save precision preset"), tr("Preset name:"), QLineEdit::Normal,
                                               QString(), &ok);
    if (ok && !saveUserPreset(name, m_configs[column]))
        setToolTip(tr("'%1' cannot be used as a preset name").arg(name));
}

void PrecisionPanel::setCudaAvailable(bool available) {
    const QString tip = available ? QString() : tr("No CUDA device: tf32 runs as fp32");
    for (Column c : {A, B})
        for (QComboBox* combo : m_combos[c]) combo->setItemData(1, tip.isEmpty() ? QVariant() : QVariant(tip), Qt::ToolTipRole);
}

void PrecisionPanel::setRunButtonsVisible(bool visible) {
    for (QPushButton* b : {m_runA, m_runB, m_compare}) b->setVisible(visible);
}

void PrecisionPanel::saveSettings(QSettings& settings) const {
    settings.setValue("precision/a", QString::fromStdString(m_configs[A].to_string()));
    settings.setValue("precision/b", QString::fromStdString(m_configs[B].to_string()));
}

void PrecisionPanel::restoreSettings(QSettings& settings) {
    for (Column c : {A, B}) {
        const QString spec = settings.value(c == A ? "precision/a" : "precision/b").toString();
        if (spec.isEmpty()) continue;
        try {
            setConfig(c, PrecisionConfig::parse(spec.toStdString(), ValueSource::Settings, m_configs[c]));
        } catch (const StudioError&) {
            // Keep the defaults when the stored value is unreadable.
        }
    }
}

}  // namespace studio::ui
