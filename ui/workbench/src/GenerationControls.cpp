#include "studio/ui/GenerationControls.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QValidator>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>

#include "studio/ModelDefaults.h"
#include "studio/ModelFolder.h"

namespace studio::ui {

namespace {
constexpr int kMinSide = 64;
constexpr int kMaxSide = 4096;

QString sizeText(QSize s) { return QStringLiteral("%1 \u00d7 %2").arg(s.width()).arg(s.height()); }

// Decimal seeds that fit 64 bits: a regex of 20 digits would let 99999999999999999999 through,
// which toULongLong() then turns into 0 without a word.
class SeedValidator : public QValidator {
public:
    using QValidator::QValidator;
    State validate(QString& input, int&) const override {
        if (input.isEmpty()) return Intermediate;
        for (const QChar c : input)
            if (!c.isDigit() || c.unicode() > 0x7F) return Invalid;
        bool ok = false;
        input.toULongLong(&ok);
        return ok ? Acceptable : Invalid;
    }
};
}  // namespace

QList<QSize> GenerationControls::sizePresets() {
    return {{1024, 1024}, {1152, 896}, {896, 1152}, {1216, 832}, {832, 1216}, {512, 512}, {256, 256}};
}

GenerationControls::GenerationControls(QWidget* parent) : QWidget(parent) { buildUi(); }

void GenerationControls::buildUi() {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_model = new QLineEdit;
    m_model->setPlaceholderText(tr("Choose a NewBie model folder"));
    m_model->setToolTip(tr("A NewBie-image model folder (official or diffusers layout)"));
    m_browse = new QToolButton;
    m_browse->setText(tr("..."));
    m_browse->setToolTip(tr("Choose the model folder"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(m_browse);
    form->addRow(tr("Model"), modelRow);
    m_modelHint = new QLabel;
    m_modelHint->setWordWrap(true);
    m_modelHint->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), m_modelHint);
    connect(m_browse, &QToolButton::clicked, this, &GenerationControls::browseModel);
    connect(m_model, &QLineEdit::editingFinished, this, [this] {
        if (m_model->isModified()) applyModelDefaults();
        m_model->setModified(false);
        updateModelHint();
        Q_EMIT modelDirChanged(modelDir());
    });

    m_seed = new QLineEdit(QStringLiteral("0"));
    m_seed->setValidator(new SeedValidator(m_seed));
    m_newSeed = new QToolButton;
    m_newSeed->setText(QStringLiteral("\u2684"));  // die face
    m_newSeed->setToolTip(tr("Draw a new random seed"));
    m_lockSeed = new QCheckBox(tr("Lock"));
    m_lockSeed->setToolTip(tr("Keep this seed for every run; unlocked, each run draws a new one"));
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(m_newSeed);
    seedRow->addWidget(m_lockSeed);
    form->addRow(tr("Seed"), seedRow);
    connect(m_newSeed, &QToolButton::clicked, this, [this] { setSeed(QRandomGenerator::global()->generate()); });

    m_steps = new QSpinBox;
    m_steps->setRange(1, 500);
    m_steps->setValue(20);  // first start: suits the CPU demo model; settings remember the user's choice
    form->addRow(tr("Steps"), m_steps);

    m_cfg = new QDoubleSpinBox;
    m_cfg->setRange(0.0, 30.0);
    m_cfg->setSingleStep(0.5);
    m_cfg->setValue(5.0);
    form->addRow(tr("CFG scale"), m_cfg);

    m_cfgTrunc = new QDoubleSpinBox;
    m_cfgTrunc->setRange(0.0, 1.0);
    m_cfgTrunc->setSingleStep(0.05);
    m_cfgTrunc->setValue(1.0);
    m_cfgTrunc->setToolTip(tr("Guidance is applied while the model time is below this value (0 = noise); 1 = every step"));
    form->addRow(tr("CFG truncation"), m_cfgTrunc);

    m_sampler = new QComboBox;
    m_sampler->addItem(QStringLiteral("euler"), static_cast<int>(SamplerKind::Euler));
    m_sampler->addItem(QStringLiteral("midpoint"), static_cast<int>(SamplerKind::Midpoint));
    form->addRow(tr("Sampler"), m_sampler);

    m_size = new QComboBox;
    for (QSize s : sizePresets()) m_size->addItem(sizeText(s), s);
    m_size->addItem(tr("Custom"));
    m_width = new QSpinBox;
    m_height = new QSpinBox;
    for (QSpinBox* spin : {m_width, m_height}) {
        spin->setRange(kMinSide, kMaxSide);
        spin->setSingleStep(16);
        spin->setValue(1024);
        connect(spin, &QSpinBox::editingFinished, this, &GenerationControls::snapCustomSize);
    }
    // First start: the demo model's native 256x256 (real NewBie models: pick a 1024-class bucket).
    m_size->setCurrentIndex(m_size->findData(QSize(256, 256)));
    m_width->setValue(256);
    m_height->setValue(256);
    m_customSize = new QWidget;
    auto* customRow = new QHBoxLayout(m_customSize);
    customRow->setContentsMargins(0, 0, 0, 0);
    customRow->addWidget(m_width, 1);
    customRow->addWidget(new QLabel(QStringLiteral("\u00d7")));
    customRow->addWidget(m_height, 1);
    m_customSize->setToolTip(tr("Width and height are rounded to multiples of 16"));
    m_customSize->setVisible(false);
    form->addRow(tr("Size"), m_size);
    form->addRow(QString(), m_customSize);
    connect(m_size, qOverload<int>(&QComboBox::currentIndexChanged), this, &GenerationControls::onSizeChosen);

    m_device = new QComboBox;
    m_device->addItem(QStringLiteral("CPU"), static_cast<int>(DeviceKind::CPU));
    m_device->addItem(QStringLiteral("CUDA"), static_cast<int>(DeviceKind::CUDA));
    form->addRow(tr("Device"), m_device);
    setCudaAvailable(false);

    // The numerics trace: basic costs a few percent, deep traces every layer (the Audit tab's
    // per-layer table and dtype map) at up to ~30 % more run time.
    m_audit = new QComboBox;
    m_audit->addItem(tr("Basic (modules, first non-finite layer)"), static_cast<int>(AuditLevel::Basic));
    m_audit->addItem(tr("Deep (every layer)"), static_cast<int>(AuditLevel::Deep));
    m_audit->addItem(tr("Off"), static_cast<int>(AuditLevel::Off));
    m_audit->setToolTip(tr("How closely each run's numerics are traced; the findings and the per-layer table come from this trace"));
    form->addRow(tr("Audit"), m_audit);

    for (QSpinBox* s : {m_steps, m_width, m_height})
        connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &GenerationControls::changed);
    for (QDoubleSpinBox* s : {m_cfg, m_cfgTrunc})
        connect(s, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &GenerationControls::changed);
    for (QComboBox* c : {m_sampler, m_size, m_device, m_audit})
        connect(c, qOverload<int>(&QComboBox::currentIndexChanged), this, &GenerationControls::changed);
    updateModelHint();
}

QString GenerationControls::modelDir() const { return m_model->text().trimmed(); }

void GenerationControls::setModelDir(const QString& dir) {
    if (dir == modelDir()) {
        updateModelHint();
        return;
    }
    m_model->setText(dir);
    updateModelHint();
    Q_EMIT modelDirChanged(modelDir());
}

QString GenerationControls::modelHint() const { return m_modelHint->text(); }

void GenerationControls::browseModel() {
    const QString start = modelDir().isEmpty() ? QDir::homePath() : modelDir();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a NewBie model folder"), start);
    if (dir.isEmpty()) return;
    setModelDir(dir);
    applyModelDefaults();
}

QString GenerationControls::applyModelDefaults() {
    m_defaultsNote.clear();
    DeclaredDefaults declared;
    try {
        declared = read_declared_defaults(modelDir().toStdString());
    } catch (const std::exception& e) {
        m_defaultsNote = tr("Model settings ignored: %1").arg(QString::fromStdString(e.what()));
        updateModelHint();
        return m_defaultsNote;
    }
    if (declared.empty()) {
        updateModelHint();
        return {};
    }
    GenerationParams p;
    fillParams(p);
    apply_defaults(p, {}, declared);
    m_steps->setValue(p.steps);
    m_cfg->setValue(p.cfg_scale);
    m_sampler->setCurrentIndex(m_sampler->findData(static_cast<int>(p.sampler)));
    setImageSize({p.width, p.height});
    m_defaultsNote = tr("Model settings: %1×%2, %3 steps, CFG %4, %5")
                         .arg(p.width).arg(p.height).arg(p.steps).arg(p.cfg_scale)
                         .arg(QString::fromStdString(to_string(p.sampler)));
    updateModelHint();
    return m_defaultsNote;
}

// One short line under the folder; the details are in its tooltip.
void GenerationControls::updateModelHint() {
    const QString dir = modelDir();
    QString text, tip;
    if (dir.isEmpty()) {
        text = tr("No model chosen.");
        tip = tr("Pick a NewBie-image folder with transformer/, text_encoder/, clip_model/ and vae/ "
                 "(or the diffusers layout).");
    } else {
        try {
            const ModelFolder folder = discover_model_folder(dir.toStdString());
            QStringList found, missing;
            auto note = [&](bool present, const QString& name) { (present ? found : missing) << name; };
            note(folder.transformer.has_value(), tr("transformer"));
            note(folder.text_encoder.has_value(), tr("text encoder"));
            note(folder.clip.has_value(), tr("CLIP"));
            note(folder.vae.has_value(), tr("VAE"));
            const QString layout = QString::fromStdString(to_string(folder.layout));
            text = missing.isEmpty() ? tr("%1 layout, all 4 components").arg(layout)
                                     : tr("%1 layout, missing: %2").arg(layout, missing.join(QStringLiteral(", ")));
            tip = tr("Found: %1").arg(found.join(QStringLiteral(", ")));
        } catch (const std::exception& e) {
            tip = QString::fromStdString(e.what());
            text = tip.section(QLatin1Char('\n'), 0, 0);
        }
    }
    if (!m_defaultsNote.isEmpty() && !dir.isEmpty()) text += QLatin1Char('\n') + m_defaultsNote;
    m_modelHint->setText(text);
    m_modelHint->setToolTip(tip);
}

uint64_t GenerationControls::seed() const { return m_seed->text().toULongLong(); }

void GenerationControls::setSeed(uint64_t seed) { m_seed->setText(QString::number(seed)); }

bool GenerationControls::seedLocked() const { return m_lockSeed->isChecked(); }

void GenerationControls::setSeedLocked(bool locked) { m_lockSeed->setChecked(locked); }

uint64_t GenerationControls::resolveSeed() {
    if (!seedLocked()) setSeed(QRandomGenerator::global()->generate());
    return seed();
}

QSize GenerationControls::imageSize() const {
    const QVariant preset = m_size->currentData();
    if (preset.isValid()) return preset.toSize();
    return {m_width->value() / 16 * 16, m_height->value() / 16 * 16};
}

void GenerationControls::setImageSize(QSize size) {
    const int index = m_size->findData(size);
    if (index >= 0) {
        m_size->setCurrentIndex(index);
        return;
    }
    m_width->setValue(size.width());
    m_height->setValue(size.height());
    snapCustomSize();
    m_size->setCurrentIndex(m_size->count() - 1);
}

void GenerationControls::onSizeChosen(int index) {
    m_customSize->setVisible(!m_size->itemData(index).isValid());
}

void GenerationControls::snapCustomSize() {
    for (QSpinBox* spin : {m_width, m_height}) {
        const int snapped = std::max(kMinSide, (spin->value() + 8) / 16 * 16);
        if (snapped != spin->value()) spin->setValue(snapped);
    }
}

DeviceKind GenerationControls::device() const { return static_cast<DeviceKind>(m_device->currentData().toInt()); }

void GenerationControls::setCudaAvailable(bool available) {
    auto* model = qobject_cast<QStandardItemModel*>(m_device->model());
    if (model) model->item(1)->setEnabled(available);
    m_device->setItemData(1, available ? QVariant() : QVariant(tr("No CUDA device was found")), Qt::ToolTipRole);
    if (!available && device() == DeviceKind::CUDA) m_device->setCurrentIndex(0);
}

void GenerationControls::fillParams(GenerationParams& params) const {
    params.model_dir = modelDir().toStdString();
    params.seed = seed();
    params.steps = m_steps->value();
    params.cfg_scale = static_cast<float>(m_cfg->value());
    params.cfg_trunc = static_cast<float>(m_cfgTrunc->value());
    params.sampler = static_cast<SamplerKind>(m_sampler->currentData().toInt());
    const QSize size = imageSize();
    params.width = size.width();
    params.height = size.height();
    params.device = device();
    params.audit = auditLevel();
}

AuditLevel GenerationControls::auditLevel() const { return static_cast<AuditLevel>(m_audit->currentData().toInt()); }

void GenerationControls::setAuditLevel(AuditLevel level) {
    m_audit->setCurrentIndex(std::max(0, m_audit->findData(static_cast<int>(level))));
}

void GenerationControls::applyParams(const GenerationParams& params) {
    if (!params.model_dir.empty() && QDir(QString::fromStdString(params.model_dir)).exists())
        setModelDir(QString::fromStdString(params.model_dir));
    setSeed(params.seed);
    setSeedLocked(true);
    m_steps->setValue(params.steps);
    m_cfg->setValue(params.cfg_scale);
    m_cfgTrunc->setValue(std::min(1.0f, params.cfg_trunc));
    m_sampler->setCurrentIndex(m_sampler->findData(static_cast<int>(params.sampler)));
    setImageSize({params.width, params.height});
    const int device = m_device->findData(static_cast<int>(params.device));
    if (device >= 0 && m_device->model()->flags(m_device->model()->index(device, 0)) & Qt::ItemIsEnabled)
        m_device->setCurrentIndex(device);
}

void GenerationControls::saveSettings(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("generation"));
    settings.setValue("modelDir", modelDir());
    settings.setValue("seed", QString::number(seed()));
    settings.setValue("seedLocked", seedLocked());
    settings.setValue("steps", m_steps->value());
    settings.setValue("cfgScale", m_cfg->value());
    settings.setValue("cfgTrunc", m_cfgTrunc->value());
    settings.setValue("sampler", m_sampler->currentText());
    settings.setValue("size", imageSize());
    settings.setValue("device", m_device->currentText());
    settings.setValue("audit", QString::fromStdString(to_string(auditLevel())));
    settings.endGroup();
}

void GenerationControls::restoreSettings(QSettings& settings) {
    settings.beginGroup(QStringLiteral("generation"));
    const QString model = settings.value("modelDir", m_defaultModelDir).toString();
    const bool firstStart = !settings.contains("steps");
    setModelDir(model.isEmpty() ? m_defaultModelDir : model);
    bool seedOk = false;
    const uint64_t savedSeed = settings.value("seed", "0").toString().toULongLong(&seedOk);
    if (seedOk) setSeed(savedSeed);
    setSeedLocked(settings.value("seedLocked", false).toBool());
    m_steps->setValue(settings.value("steps", m_steps->value()).toInt());
    m_cfg->setValue(settings.value("cfgScale", m_cfg->value()).toDouble());
    m_cfgTrunc->setValue(settings.value("cfgTrunc", m_cfgTrunc->value()).toDouble());
    const int sampler = m_sampler->findText(settings.value("sampler").toString());
    if (sampler >= 0) m_sampler->setCurrentIndex(sampler);
    const QSize size = settings.value("size", imageSize()).toSize();
    if (size.isValid()) setImageSize(size);
    const int device = m_device->findText(settings.value("device").toString());
    if (device >= 0 && m_device->model()->flags(m_device->model()->index(device, 0)) & Qt::ItemIsEnabled)
        m_device->setCurrentIndex(device);
    AuditLevel audit = AuditLevel::Basic;
    if (parse_audit_level(settings.value("audit", "basic").toString().toStdString(), audit)) setAuditLevel(audit);
    settings.endGroup();
    if (firstStart) applyModelDefaults();  // nothing remembered: the model's own settings
}

}  // namespace studio::ui
