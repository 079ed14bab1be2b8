#pragma once
// Two precision columns (A and B), one dropdown per module, built-in and user presets,
// and the Run A / Run B / Compare buttons.
#include <QStringList>
#include <QWidget>

#include <array>
#include <optional>

#include "studio/Precision.h"

class QComboBox;
class QPushButton;
class QSettings;
class QToolButton;

namespace studio::ui {

class PrecisionPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { A = 0, B = 1 };
    static const QString kCustomPreset;  // shown when a column matches no preset

    // `settings` (may be null) stores user presets as soon as they change.
    explicit PrecisionPanel(QSettings* settings = nullptr, QWidget* parent = nullptr);

    PrecisionConfig config(Column column) const;
    void setConfig(Column column, const PrecisionConfig& config);

    QStringList builtinPresetNames() const;
    QStringList userPresetNames() const;
    QStringList presetNames() const;  // built-in first, then user presets
    std::optional<PrecisionConfig> preset(const QString& name) const;
    QString presetName(Column column) const;  // the matching preset, else kCustomPreset
    bool applyPreset(Column column, const QString& name);
    // Refuses empty names and built-in names; overwrites an existing user preset.
    bool saveUserPreset(const QString& name, const PrecisionConfig& config);
    bool deleteUserPreset(const QString& name);

    void setCudaAvailable(bool available);
    void setRunButtonsVisible(bool visible);  // the window may place its own

    // The chosen columns (not the presets, which are stored as they change).
    void saveSettings(QSettings& settings) const;
    void restoreSettings(QSettings& settings);

    QComboBox* moduleCombo(Column column, Module module) const;
    QComboBox* presetCombo(Column column) const { return m_presetCombo[column]; }
    QPushButton* runAButton() const { return m_runA; }
    QPushButton* runBButton() const { return m_runB; }
    QPushButton* compareButton() const { return m_compare; }

Q_SIGNALS:
    void configChanged(int column);
    void presetsChanged();
    void runARequested();
    void runBRequested();
    void compareRequested();

private:
    void buildUi();
    void loadUserPresets();
    void storeUserPresets();
    void refreshPresetCombos();
    void syncPresetCombo(Column column);
    void onModuleChanged(Column column);
    void onPresetChosen(Column column, int index);
    void rebuildPresetMenu();
    void askSavePreset(Column column);

    QSettings* m_settings{nullptr};
    std::array<std::array<QComboBox*, 4>, 2> m_combos{};
    std::array<QComboBox*, 2> m_presetCombo{};
    std::array<PrecisionConfig, 2> m_configs{};
    std::vector<std::pair<QString, PrecisionConfig>> m_userPresets;
    QToolButton* m_presetMenuButton{nullptr};
    QPushButton* m_runA{nullptr};
    QPushButton* m_runB{nullptr};
    QPushButton* m_compare{nullptr};
    bool m_updating{false};
};

}  // namespace studio::ui
