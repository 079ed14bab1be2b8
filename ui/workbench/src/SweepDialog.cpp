#include "studio/ui/SweepDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include <algorithm>

namespace studio::ui {

namespace {
constexpr Precision kDtypes[4] = {Precision::FP32, Precision::TF32, Precision::BF16, Precision::FP16};
}

SweepDialog::SweepDialog(bool attributeProbe, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Precision sweep"));
    auto* form = new QFormLayout;
    auto* moduleRow = new QHBoxLayout;
    for (int i = 0; i < 4; ++i) {
        m_modules[i] = new QCheckBox(QString::fromStdString(to_string(kAllModules[i])), this);
        m_modules[i]->setToolTip(QString::fromStdString(display_name(kAllModules[i])));
        moduleRow->addWidget(m_modules[i]);
        connect(m_modules[i], &QCheckBox::toggled, this, &SweepDialog::refreshSummary);
    }
    auto* dtypeRow = new QHBoxLayout;
    for (int i = 0; i < 4; ++i) {
        m_dtypes[i] = new QCheckBox(QString::fromStdString(to_string(kDtypes[i])), this);
        dtypeRow->addWidget(m_dtypes[i]);
        connect(m_dtypes[i], &QCheckBox::toggled, this, &SweepDialog::refreshSummary);
    }
    m_grid = new QComboBox(this);
    m_grid->addItem(tr("One module at a time (the rest fp32)"), static_cast<int>(SweepGrid::OneAtATime));
    m_grid->addItem(tr("All combinations"), static_cast<int>(SweepGrid::All));
    m_seeds = new QLineEdit(this);
    m_seeds->setPlaceholderText(tr("e.g. 1,2,3"));
    m_runs = new QSpinBox(this);
    m_runs->setRange(1, 20);
    m_runs->setToolTip(tr("Timed runs per configuration and seed; the table shows the median"));
    m_samples = new QSpinBox(this);
    m_samples->setRange(0, 1000);
    m_samples->setEnabled(attributeProbe);
    m_samples->setToolTip(attributeProbe ? tr("Demo scenes per configuration, scored by the attribute probe")
                                         : tr("Only the demo model has an attribute probe"));
    form->addRow(tr("Modules"), moduleRow);
    form->addRow(tr("Dtypes"), dtypeRow);
    form->addRow(tr("Grid"), m_grid);
    form->addRow(tr("Seeds"), m_seeds);
    form->addRow(tr("Runs"), m_runs);
    form->addRow(tr("Accuracy samples"), m_samples);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Run sweep"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* col = new QVBoxLayout(this);
    col->addLayout(form);
    col->addWidget(m_summary);
    col->addWidget(buttons);
    connect(m_grid, qOverload<int>(&QComboBox::currentIndexChanged), this, &SweepDialog::refreshSummary);
    connect(m_seeds, &QLineEdit::textChanged, this, &SweepDialog::refreshSummary);
    connect(m_runs, qOverload<int>(&QSpinBox::valueChanged), this, &SweepDialog::refreshSummary);
    connect(m_samples, qOverload<int>(&QSpinBox::valueChanged), this, &SweepDialog::refreshSummary);
    setChoice(SweepChoice{});
}

void SweepDialog::setChoice(const SweepChoice& c) {
    for (int i = 0; i < 4; ++i) {
        m_modules[i]->setChecked(std::find(c.modules.begin(), c.modules.end(), kAllModules[i]) != c.modules.end());
        m_dtypes[i]->setChecked(std::find(c.dtypes.begin(), c.dtypes.end(), kDtypes[i]) != c.dtypes.end());
    }
    m_grid->setCurrentIndex(c.grid == SweepGrid::All ? 1 : 0);
    QStringList seeds;
    for (uint64_t s : c.seeds) seeds << QString::number(s);
    m_seeds->setText(seeds.join(QLatin1Char(',')));
    m_runs->setValue(c.runs);
    m_samples->setValue(m_samples->isEnabled() ? c.samples : 0);
    refreshSummary();
}

SweepChoice SweepDialog::choice() const {
    SweepChoice c;
    c.grid = static_cast<SweepGrid>(m_grid->currentData().toInt());
    c.modules.clear();
    c.dtypes.clear();
    for (int i = 0; i < 4; ++i) {
        if (m_modules[i]->isChecked()) c.modules.push_back(kAllModules[i]);
        if (m_dtypes[i]->isChecked()) c.dtypes.push_back(kDtypes[i]);
    }
    c.seeds.clear();
    for (const QString& s : m_seeds->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) c.seeds.push_back(s.trimmed().toULongLong());
    c.runs = m_runs->value();
    c.samples = m_samples->isEnabled() ? m_samples->value() : 0;
    return c;
}

QString SweepDialog::validate() const {
    const SweepChoice c = choice();
    if (c.modules.empty()) return tr("Tick at least one module.");
    if (c.dtypes.empty()) return tr("Tick at least one dtype.");
    const QStringList seeds = m_seeds->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (seeds.isEmpty()) return tr("Give at least one seed.");
    for (const QString& s : seeds) {
        bool ok = false;
        s.trimmed().toULongLong(&ok);
        if (!ok) return tr("'%1' is not a seed (whole numbers, comma-separated).").arg(s.trimmed());
    }
    return {};
}

int SweepDialog::configurationCount() const {
    if (!validate().isEmpty()) return 0;
    const SweepChoice c = choice();
    return static_cast<int>(sweep_configurations(c.grid, c.modules, c.dtypes).size());
}

void SweepDialog::refreshSummary() {
    const QString problem = validate();
    m_ok->setEnabled(problem.isEmpty());
    if (!problem.isEmpty()) {
        m_summary->setText(problem);
        return;
    }
    const SweepChoice c = choice();
    const int configs = configurationCount();
    const int images = configs * (static_cast<int>(c.seeds.size()) * c.runs + c.samples);
    m_summary->setText(tr("%1 configurations (the fp32 reference included), %2 images in all.").arg(configs).arg(images));
}

}  // namespace studio::ui
