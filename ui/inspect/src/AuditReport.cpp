#include "studio/ui/AuditReport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

namespace studio::ui {

namespace {

// JSON null (the report writes it for values it could not compute) reads as NaN, not 0:
// a 0 headroom would look like a real overflow.
double number(const QJsonValue& v)
{
    return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

AuditSeverity severity(const QString& s)
{
    if (s == QLatin1String("error")) return AuditSeverity::Error;
    if (s == QLatin1String("warning")) return AuditSeverity::Warning;
    return AuditSeverity::Info;
}

AuditLayer layerFrom(const QJsonObject& o, int index)
{
    AuditLayer l;
    l.module = o.value(QLatin1String("module")).toString();
    l.layer = o.value(QLatin1String("layer")).toString();
    l.kind = o.value(QLatin1String("kind")).toString();
    l.weightDtype = o.value(QLatin1String("weight_dtype")).toString();
    l.inputDtype = o.value(QLatin1String("input_dtype")).toString();
    l.outputDtype = o.value(QLatin1String("output_dtype")).toString();
    l.valuePrecision = o.value(QLatin1String("value_precision")).toString();
    l.maxAbs = number(o.value(QLatin1String("max_abs")));
    l.headroomBits = number(o.value(QLatin1String("fp16_headroom_bits")));
    l.nan = o.value(QLatin1String("nan")).toInteger();
    l.inf = o.value(QLatin1String("inf")).toInteger();
    l.beyondFp16 = o.value(QLatin1String("beyond_fp16")).toInteger();
    l.firstNonfiniteStep = o.value(QLatin1String("first_nonfinite_step")).toInt(-1);
    l.jsonIndex = index;
    return l;
}

// Does this row show what the finding is about? Picks among rows of the same name (a text
// encoder layer can be both an attention site and a block).
bool shows(const AuditFinding& f, const AuditLayer& l)
{
    if (f.code == QLatin1String("nonfinite")) return l.nonfinite();
    if (f.code == QLatin1String("fp16-overflow-risk")) return l.lowHeadroom() || l.beyondFp16 > 0;
    return false;
}

// The row a finding names: the exact site, else the deepest site above it (weights-not-cast
// names a parameter), else for a module-wide finding the module's output row.
int rowFor(const AuditFinding& f, const QList<AuditLayer>& layers)
{
    if (f.module.isEmpty()) return -1;
    int exact = -1, above = -1, aboveLength = 0, output = -1;
    for (int i = 0; i < layers.size(); ++i) {
        const AuditLayer& l = layers[i];
        if (l.module != f.module) continue;
        if (f.layer.isEmpty()) {
            if (l.kind == QLatin1String("module") && output < 0) output = i;
        } else if (l.layer == f.layer) {
            if (exact < 0 || (shows(f, l) && !shows(f, layers[exact]))) exact = i;
        } else if (f.layer.startsWith(l.layer + QLatin1Char('.')) && l.layer.size() > aboveLength) {
            above = i;
            aboveLength = l.layer.size();
        }
    }
    if (f.layer.isEmpty()) return output;
    return exact >= 0 ? exact : above;
}

// Order in which a row's non-finite values appeared: the encoders before the first sampler
// step, the transformer by step, the decoder after the last step. first_nonfinite_step is 0
// for every module but the transformer, so comparing it alone would put a VAE row first.
int nonfiniteTime(const AuditLayer& l)
{
    const int rank = moduleRank(l.module);
    if (rank < moduleRank(QStringLiteral("dit"))) return 0;
    if (rank == moduleRank(QStringLiteral("dit"))) return std::max(0, l.firstNonfiniteStep);
    return INT_MAX;
}

}  // namespace

bool AuditLayer::lowHeadroom() const { return std::isfinite(headroomBits) && headroomBits < 1.0; }

QString AuditFinding::text() const
{
    QString where = module;
    if (!layer.isEmpty()) where += (where.isEmpty() ? QString() : QStringLiteral(".")) + layer;
    if (step >= 1) where += QStringLiteral(" (step %1)").arg(step);
    QStringList parts{code};
    if (!where.isEmpty()) parts << where;
    if (!message.isEmpty()) parts << message;
    return parts.join(QStringLiteral(" — "));
}

int AuditReport::rowCount(const QString& module) const
{
    return static_cast<int>(std::count_if(layers.begin(), layers.end(), [&](const AuditLayer& l) { return l.module == module; }));
}

QString AuditReport::summary() const
{
    if (!ok()) return {};
    auto count = [](qsizetype n, const char* one, const char* many) {
        return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
    };
    QString s = QStringLiteral("%1 · %2 · %3 · audit %4")
                    .arg(count(layers.size(), "layer", "layers"), count(warnings, "warning", "warnings"),
                         count(errors, "error", "errors"), auditLevel.isEmpty() ? QStringLiteral("off") : auditLevel);
    if (firstFailingRow >= 0) {
        const AuditLayer& l = layers[firstFailingRow];
        s += QStringLiteral(" · first non-finite: %1").arg(l.path());
        if (l.module == QLatin1String("dit") && l.firstNonfiniteStep >= 1) s += QStringLiteral(" (step %1)").arg(l.firstNonfiniteStep);
    }
    return s;
}

int moduleRank(const QString& module)
{
    static const QStringList order{QStringLiteral("text"), QStringLiteral("clip"), QStringLiteral("dit"), QStringLiteral("vae")};
    const int i = static_cast<int>(order.indexOf(module));
    return i >= 0 ? i : static_cast<int>(order.size());
}

AuditReport parseAuditReport(const QString& json)
{
    AuditReport r;
    if (json.trimmed().isEmpty()) return r;
    r.present = true;
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError) {
        r.error = QStringLiteral("not valid JSON at offset %1: %2").arg(err.offset).arg(err.errorString());
        return r;
    }
    if (!doc.isObject()) {
        r.error = QStringLiteral("not a JSON object");
        return r;
    }
    const QJsonObject root = doc.object();
    r.auditLevel = root.value(QLatin1String("audit_level")).toString();

    const QJsonArray layers = root.value(QLatin1String("layers")).toArray();
    for (int i = 0; i < layers.size(); ++i)
        if (layers[i].isObject()) r.layers << layerFrom(layers[i].toObject(), i);
    std::stable_sort(r.layers.begin(), r.layers.end(),
                     [](const AuditLayer& a, const AuditLayer& b) { return moduleRank(a.module) < moduleRank(b.module); });
    for (const AuditLayer& l : r.layers)
        if (!r.modules.contains(l.module)) r.modules << l.module;

    for (const QJsonValue& v : root.value(QLatin1String("findings")).toArray()) {
        const QJsonObject o = v.toObject();
        AuditFinding f;
        f.severity = severity(o.value(QLatin1String("severity")).toString());
        f.code = o.value(QLatin1String("code")).toString();
        f.module = o.value(QLatin1String("module")).toString();
        f.layer = o.value(QLatin1String("layer")).toString();
        f.message = o.value(QLatin1String("message")).toString();
        f.step = o.value(QLatin1String("step")).toInt(-1);
        f.row = rowFor(f, r.layers);
        // Only a finding that names a layer marks the row; module-wide notes (TF32 state,
        // attention backend) would otherwise mark every module output.
        if (f.row >= 0 && !f.layer.isEmpty())
            r.layers[f.row].worstFinding = std::max(r.layers[f.row].worstFinding, static_cast<int>(f.severity));
        if (f.severity == AuditSeverity::Warning) ++r.warnings;
        if (f.severity == AuditSeverity::Error) ++r.errors;
        if (f.code == QLatin1String("nonfinite") && r.firstFailingRow < 0) r.firstFailingRow = f.row;
        r.findings << f;
    }

    if (r.firstFailingRow < 0) {
        int best = INT_MAX;
        for (int i = 0; i < r.layers.size(); ++i)
            if (r.layers[i].nonfinite() && (r.firstFailingRow < 0 || nonfiniteTime(r.layers[i]) < best)) {
                r.firstFailingRow = i;
                best = nonfiniteTime(r.layers[i]);
            }
    }
    return r;
}

}  // namespace studio::ui
