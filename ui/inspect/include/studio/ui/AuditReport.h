#pragma once
// The audit part of a run's JSON report (docs/report-format.md, "Findings" and "Per-layer
// table") as plain values for the audit panel: layer rows in model order, findings tied to the
// row they name, and the first layer that went non-finite. Malformed JSON is reported in
// `error`, never thrown.
#include <QList>
#include <QString>
#include <QStringList>

namespace studio::ui {

enum class AuditSeverity { Info = 0, Warning = 1, Error = 2 };

struct AuditLayer {
    QString module, layer, kind;
    QString weightDtype, inputDtype, outputDtype, valuePrecision;  // "" = none / not enough values
    double maxAbs{0};
    double headroomBits{0};  // NaN when the report has none (no finite value was seen)
    qint64 nan{0}, inf{0}, beyondFp16{0};
    int firstNonfiniteStep{-1};  // transformer: 1-based step; other modules 0; -1 never
    int jsonIndex{0};            // position in the report's layers[]
    int worstFinding{-1};        // highest AuditSeverity of the findings naming this row, -1 none

    bool nonfinite() const { return nan + inf > 0; }
    bool lowHeadroom() const;  // less than 1 bit left below fp16's largest value
    bool problem() const { return nonfinite() || beyondFp16 > 0 || lowHeadroom() || worstFinding >= 0; }
    QString path() const { return module.isEmpty() ? layer : module + QLatin1Char('.') + layer; }
};

struct AuditFinding {
    AuditSeverity severity{AuditSeverity::Info};
    QString code, module, layer, message;
    int step{-1};
    int row{-1};  // layer row it names (index into AuditReport::layers), -1 none

    QString text() const;  // "code — module.layer (step N) — message"
};

struct AuditReport {
    bool present{false};  // a report was given (even a malformed one)
    QString error;        // why it could not be read; empty when fine
    QString auditLevel;   // off, basic, deep ("" in reports older than the audit)
    QList<AuditLayer> layers;  // model order: text, clip, dit, vae, then report order
    QList<AuditFinding> findings;
    QStringList modules;  // modules with layer rows, in model order
    int firstFailingRow{-1};
    int warnings{0}, errors{0};

    bool ok() const { return present && error.isEmpty(); }
    int rowCount(const QString& module) const;
    // "236 layers · 0 warnings · 0 errors · audit deep[ · first non-finite: dit.layers.1 (step 1)]"
    QString summary() const;
};

AuditReport parseAuditReport(const QString& json);

// Where a module runs in the pipeline (text, clip, dit, vae); unknown modules after those.
int moduleRank(const QString& module);

}  // namespace studio::ui
