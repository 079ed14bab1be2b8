#pragma once
// Model folder, seed, steps, CFG, sampler, size, device and audit level: everything of a job except
// the prompt and the precision columns.
#include <QList>
#include <QSize>
#include <QWidget>

#include <cstdint>

#include "studio/Generation.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;
class QToolButton;

namespace studio::ui {

class GenerationControls : public QWidget {
    Q_OBJECT
public:
    explicit GenerationControls(QWidget* parent = nullptr);

    // Training buckets plus small sizes for quick looks; any other multiple of 16 is "Custom".
    static QList<QSize> sizePresets();

    QString modelDir() const;
    void setModelDir(const QString& dir);
    // Used when no folder was remembered: the bundled demo model, or empty.
    void setDefaultModelDir(const QString& dir) { m_defaultModelDir = dir; }
    QString modelHint() const;
    // Sets size / steps / CFG / sampler to what the folder's model_index.json declares (the demo
    // model: 256x256, 20 steps, CFG 4) and says so under the folder; returns that note, empty
    // when the folder declares nothing (real NewBie folders keep the official defaults).
    // Applied when the user picks a folder and on a first start, never over restored settings.
    QString applyModelDefaults();

    uint64_t seed() const;
    void setSeed(uint64_t seed);
    bool seedLocked() const;
    void setSeedLocked(bool locked);
    // The seed for the next job: a fresh random one unless the seed is locked (shown either way).
    uint64_t resolveSeed();

    QSize imageSize() const;  // multiples of 16
    void setImageSize(QSize size);
    DeviceKind device() const;
    void setCudaAvailable(bool available);
    AuditLevel auditLevel() const;
    void setAuditLevel(AuditLevel level);

    // Writes model, seed (as shown), steps, CFG, truncation, sampler, size and device.
    void fillParams(GenerationParams& params) const;
    // Restores the same fields, e.g. from an image's provenance (the seed becomes locked).
    void applyParams(const GenerationParams& params);

    void saveSettings(QSettings& settings) const;
    void restoreSettings(QSettings& settings);

    QComboBox* sizeCombo() const { return m_size; }
    QComboBox* deviceCombo() const { return m_device; }
    QSpinBox* stepsSpin() const { return m_steps; }
    QComboBox* auditCombo() const { return m_audit; }

Q_SIGNALS:
    void modelDirChanged(const QString& dir);
    void changed();

private:
    void buildUi();
    void browseModel();
    void updateModelHint();
    void onSizeChosen(int index);
    void snapCustomSize();

    QLineEdit* m_model{nullptr};
    QToolButton* m_browse{nullptr};
    QLabel* m_modelHint{nullptr};
    QLineEdit* m_seed{nullptr};
    QToolButton* m_newSeed{nullptr};
    QCheckBox* m_lockSeed{nullptr};
    QSpinBox* m_steps{nullptr};
    QDoubleSpinBox* m_cfg{nullptr};
    QDoubleSpinBox* m_cfgTrunc{nullptr};
    QComboBox* m_sampler{nullptr};
    QComboBox* m_size{nullptr};
    QSpinBox* m_width{nullptr};
    QSpinBox* m_height{nullptr};
    QWidget* m_customSize{nullptr};
    QComboBox* m_device{nullptr};
    QComboBox* m_audit{nullptr};
    QString m_defaultModelDir;
    QString m_defaultsNote;  // "Model settings: 256×256, 20 steps, CFG 4"
};

}  // namespace studio::ui
