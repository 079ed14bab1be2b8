#pragma once
// Asks what to sweep: modules and dtypes as check boxes, the grid kind, seeds, timed runs and
// (on models with an attribute probe) accuracy samples.
#include <QDialog>

#include <vector>

#include "studio/Sweep.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace studio::ui {

struct SweepChoice {
    SweepGrid grid{SweepGrid::OneAtATime};
    std::vector<Module> modules{kAllModules.begin(), kAllModules.end()};
    std::vector<Precision> dtypes{Precision::FP32, Precision::BF16, Precision::FP16};
    std::vector<uint64_t> seeds{1};
    int runs{1};
    int samples{0};
};

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    explicit SweepDialog(bool attributeProbe, QWidget* parent = nullptr);

    void setChoice(const SweepChoice& c);
    // Empty message = valid; else what is wrong (shown in the dialog, OK disabled).
    QString validate() const;
    SweepChoice choice() const;  // only meaningful when validate() is empty
    int configurationCount() const;

private:
    void refreshSummary();

    QCheckBox* m_modules[4]{};
    QCheckBox* m_dtypes[4]{};
    QComboBox* m_grid{nullptr};
    QLineEdit* m_seeds{nullptr};
    QSpinBox* m_runs{nullptr};
    QSpinBox* m_samples{nullptr};
    QLabel* m_summary{nullptr};
    QPushButton* m_ok{nullptr};
};

}  // namespace studio::ui
