#include "studio/ui/ReportHtml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace studio::ui {

namespace {

struct Run {
    bool present{false};
    QString error;
    QJsonObject root;
};

Run parse(const QString& json)
{
    Run r;
    if (json.trimmed().isEmpty()) return r;
    r.present = true;
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError)
        r.error = QStringLiteral("not valid JSON at offset %1: %2").arg(err.offset).arg(err.errorString());
    else if (!doc.isObject())
        r.error = QStringLiteral("not a JSON object");
    else
        r.root = doc.object();
    return r;
}

struct Html {
    const ReportStyle& style;
    QString out;
    QString red() const { return style.dark ? QStringLiteral("#ff6b6b") : QStringLiteral("#c62828"); }
    QString dim() const { return style.dark ? QStringLiteral("#9a9a9a") : QStringLiteral("#6a6a6a"); }
    QString warn(const QString& s) const { return QStringLiteral("<span style='color:%1'>%2</span>").arg(red(), s); }
    QString small(const QString& s) const
    {
        return QStringLiteral("<span style='color:%1; font-size:small'>%2</span>").arg(dim(), s);
    }
    void heading(const QString& s) { out += QStringLiteral("<h4 style='margin:8px 0 2px 0'>%1</h4>").arg(s.toHtmlEscaped()); }
    void beginTable(const QString& first)
    {
        // Fixed column widths so that A and B line up across all tables.
        out += QStringLiteral("<table cellspacing='0' cellpadding='2' width='100%'><tr><th align='left' width='26%'>%1</th>"
                              "<th align='left' width='37%'>%2</th><th align='left' width='37%'>%3</th></tr>")
                   .arg(first.toHtmlEscaped(), style.labelA.toHtmlEscaped(), style.labelB.toHtmlEscaped());
    }
    void row(const QString& name, const QString& a, const QString& b)
    {
        out += QStringLiteral("<tr><td valign='top'>%1</td><td valign='top'>%2</td><td valign='top'>%3</td></tr>")
                   .arg(name.toHtmlEscaped(), a, b);
    }
    void endTable() { out += QStringLiteral("</table>"); }
};

QString dash() { return QStringLiteral("—"); }

QString seconds(double s) { return QStringLiteral("%1 s").arg(s, 0, 'f', s < 10 ? 2 : 1); }

QString scalar(const QJsonValue& v)
{
    if (v.isString()) return v.toString().toHtmlEscaped();
    if (v.isBool()) return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    if (v.isDouble()) return QString::number(v.toDouble(), 'g', 10);
    if (v.isUndefined() || v.isNull()) return dash();
    return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)).toHtmlEscaped();
}

// "bf16 99.2 %, fp32 0.8 %" from {"bf16": n, "fp32": m}, largest first.
QString histogram(const QJsonObject& h)
{
    std::vector<std::pair<QString, double>> items;
    double total = 0;
    for (auto it = h.begin(); it != h.end(); ++it) {
        items.emplace_back(it.key(), it.value().toDouble());
        total += it.value().toDouble();
    }
    if (items.empty() || total <= 0) return dash();
    std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    QStringList parts;
    for (const auto& [k, n] : items) {
        // A few fp32 control tensors among billions of bf16 weights must not read as "0.0 %".
        const double pct = 100.0 * n / total;
        QString p = n == total ? QStringLiteral("100")
                  : pct < 0.1  ? QStringLiteral("&lt;0.1")
                  : pct > 99.9 ? QStringLiteral("&gt;99.9")
                               : QString::number(pct, 'f', 1);
        parts << QStringLiteral("%1&nbsp;%2&nbsp;%").arg(k.toHtmlEscaped(), p);
    }
    return parts.join(QStringLiteral(", "));
}

QJsonObject findByKey(const QJsonArray& arr, const QString& key, const QString& value)
{
    for (const QJsonValue& v : arr)
        if (v.toObject().value(key).toString() == value) return v.toObject();
    return {};
}

QStringList keysInOrder(const Run& a, const Run& b, const QString& array, const QString& key)
{
    QStringList keys;
    for (const Run* r : {&a, &b})
        for (const QJsonValue& v : r->root.value(array).toArray()) {
            const QString k = v.toObject().value(key).toString();
            if (!keys.contains(k)) keys << k;
        }
    return keys;
}

QString moduleCell(const Html& h, const QJsonObject& m)
{
    if (m.isEmpty()) return dash();
    const QString req = m.value(QStringLiteral("requested")).toString();
    const QString eff = m.value(QStringLiteral("numerics")).toString();
    QString s = QStringLiteral("%1 → <b>%2</b>").arg(req.toHtmlEscaped(), eff.toHtmlEscaped());
    if (m.value(QStringLiteral("mismatch")).toBool()) s = h.warn(s + QStringLiteral(" ⚠"));
    s += QStringLiteral("<br>") + h.small(QStringLiteral("weights: ") + histogram(m.value(QStringLiteral("weight_dtypes")).toObject()));
    const QJsonObject act = m.value(QStringLiteral("activation_dtypes")).toObject();
    if (!act.isEmpty()) s += QStringLiteral("<br>") + h.small(QStringLiteral("activations: ") + histogram(act));
    QString load = seconds(m.value(QStringLiteral("load_seconds")).toDouble());
    if (m.value(QStringLiteral("from_cache")).toBool()) load += QStringLiteral(" (cached)");
    s += QStringLiteral("<br>") + h.small(QStringLiteral("load ") + load);
    const QString note = m.value(QStringLiteral("note")).toString();
    if (!note.isEmpty()) s += QStringLiteral("<br>") + h.warn(note.toHtmlEscaped());
    return s;
}

QString checkCell(const Html& h, const QJsonObject& c)
{
    if (c.isEmpty()) return dash();
    const qint64 nan = c.value(QStringLiteral("nan")).toVariant().toLongLong();
    const qint64 inf = c.value(QStringLiteral("inf")).toVariant().toLongLong();
    const qint64 sat = c.value(QStringLiteral("saturated")).toVariant().toLongLong();
    QString s = QStringLiteral("[%1, %2]").arg(c.value(QStringLiteral("min")).toDouble(), 0, 'g', 4)
                                          .arg(c.value(QStringLiteral("max")).toDouble(), 0, 'g', 4);
    if (nan || inf) s = h.warn(QStringLiteral("NaN %1, Inf %2").arg(nan).arg(inf));
    if (sat) s += QStringLiteral(" ") + h.warn(QStringLiteral("saturated %1").arg(sat));
    return s;
}

bool checkIsBad(const QJsonObject& c)
{
    for (const char* k : {"nan", "inf", "saturated"})
        if (c.value(QLatin1String(k)).toDouble() > 0) return true;
    return false;
}

QString status(const Html& h, const Run& r)
{
    if (!r.present) return dash();
    if (!r.error.isEmpty()) return h.warn(r.error.toHtmlEscaped());
    QStringList bad;
    const QString stage = r.root.value(QStringLiteral("first_nonfinite_stage")).toString();
    if (!stage.isEmpty()) bad << QStringLiteral("NaN/Inf from “%1”").arg(stage.toHtmlEscaped());
    const QString verdict = r.root.value(QStringLiteral("image_verdict")).toString();
    if (!verdict.isEmpty() && verdict != QLatin1String("ok")) bad << verdict;
    else if (r.root.value(QStringLiteral("black_image")).toBool()) bad << QStringLiteral("black image");
    if (bad.isEmpty()) return QStringLiteral("ok");
    return h.warn(bad.join(QStringLiteral("; ")));
}

}  // namespace

QString formatBytes(double bytes)
{
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', u == 0 ? 0 : (bytes < 10 ? 2 : 1)).arg(QLatin1String(units[u]));
}

QString reportsToHtml(const QString& jsonA, const QString& jsonB, const ReportStyle& style)
{
    const Run a = parse(jsonA), b = parse(jsonB);
    Html h{style, {}};
    if (!a.present && !b.present) return h.small(QStringLiteral("No run reports yet."));
    const Run* runs[2] = {&a, &b};
    auto both = [&](auto&& cell) { return std::pair<QString, QString>{cell(a), cell(b)}; };
    auto field = [&](const QString& key, auto&& fmt) {
        return both([&](const Run& r) {
            const QJsonValue v = r.root.value(key);
            return r.present && r.error.isEmpty() && !v.isUndefined() ? fmt(v) : dash();
        });
    };

    h.heading(QStringLiteral("Runs"));
    h.beginTable(QString());
    auto put = [&](const QString& name, const std::pair<QString, QString>& cells) { h.row(name, cells.first, cells.second); };
    put(QStringLiteral("Result"), both([&](const Run& r) { return status(h, r); }));
    put(QStringLiteral("Device"), field(QStringLiteral("device_name"), scalar));
    put(QStringLiteral("Total time"), field(QStringLiteral("total_seconds"), [](const QJsonValue& v) { return seconds(v.toDouble()); }));
    put(QStringLiteral("Peak memory"), both([&](const Run& r) {
        const QJsonValue v = r.root.value(QStringLiteral("peak_memory_bytes"));
        if (!v.isDouble()) return dash();
        return formatBytes(v.toDouble()) + QStringLiteral("<br>") + h.small(r.root.value(QStringLiteral("memory_kind")).toString().toHtmlEscaped());
    }));
    put(QStringLiteral("Prompt layout"), field(QStringLiteral("prompt_layout"), scalar));
    put(QStringLiteral("VAE fallback"), field(QStringLiteral("vae_fallback_used"), [&](const QJsonValue& v) {
        return v.toBool() ? h.warn(QStringLiteral("used")) : QStringLiteral("no");
    }));
    // Generation parameters that differ between the runs are marked in bold.
    QStringList paramKeys = {QStringLiteral("seed"), QStringLiteral("steps"), QStringLiteral("cfg_scale"),
                             QStringLiteral("width"), QStringLiteral("height"), QStringLiteral("sampler")};
    paramKeys.erase(std::remove_if(paramKeys.begin(), paramKeys.end(), [&](const QString& k) {
                        return !a.root.value(QStringLiteral("params")).toObject().contains(k) &&
                               !b.root.value(QStringLiteral("params")).toObject().contains(k);
                    }),
                    paramKeys.end());
    for (const Run* r : runs)
        for (const QString& k : r->root.value(QStringLiteral("params")).toObject().keys())
            if (!paramKeys.contains(k) && k != QLatin1String("prompt") && k != QLatin1String("negative")) paramKeys << k;
    for (const QString& k : paramKeys) {
        const QJsonValue va = a.root.value(QStringLiteral("params")).toObject().value(k);
        const QJsonValue vb = b.root.value(QStringLiteral("params")).toObject().value(k);
        const bool differ = a.present && b.present && va != vb;
        auto fmt = [&](const QJsonValue& v) { return differ ? QStringLiteral("<b>%1</b>").arg(scalar(v)) : scalar(v); };
        h.row(k, fmt(va), fmt(vb));
    }
    h.endTable();

    const QStringList modules = keysInOrder(a, b, QStringLiteral("modules"), QStringLiteral("module"));
    if (!modules.isEmpty()) {
        h.heading(QStringLiteral("Numerics per module (requested → effective)"));
        h.beginTable(QStringLiteral("module"));
        for (const QString& m : modules)
            h.row(m, moduleCell(h, findByKey(a.root.value(QStringLiteral("modules")).toArray(), QStringLiteral("module"), m)),
                  moduleCell(h, findByKey(b.root.value(QStringLiteral("modules")).toArray(), QStringLiteral("module"), m)));
        h.endTable();
    }

    const QStringList stages = keysInOrder(a, b, QStringLiteral("checks"), QStringLiteral("stage"));
    if (!stages.isEmpty()) {
        // Only the stages with a problem get a row: a clean 28-step run would otherwise fill the panel.
        QStringList badStages;
        for (const QString& s : stages)
            for (const Run* r : runs)
                if (checkIsBad(findByKey(r->root.value(QStringLiteral("checks")).toArray(), QStringLiteral("stage"), s)) &&
                    !badStages.contains(s))
                    badStages << s;
        h.heading(QStringLiteral("NaN / Inf checks"));
        h.beginTable(QStringLiteral("stage"));
        h.row(QStringLiteral("stages checked"),
              QString::number(a.root.value(QStringLiteral("checks")).toArray().size()),
              QString::number(b.root.value(QStringLiteral("checks")).toArray().size()));
        if (badStages.isEmpty()) h.row(QStringLiteral("all stages"), QStringLiteral("finite"), QStringLiteral("finite"));
        for (const QString& s : badStages)
            h.row(s, checkCell(h, findByKey(a.root.value(QStringLiteral("checks")).toArray(), QStringLiteral("stage"), s)),
                  checkCell(h, findByKey(b.root.value(QStringLiteral("checks")).toArray(), QStringLiteral("stage"), s)));
        h.endTable();
    }

    const QStringList timed = keysInOrder(a, b, QStringLiteral("timings"), QStringLiteral("stage"));
    if (!timed.isEmpty()) {
        h.heading(QStringLiteral("Time per stage"));
        h.beginTable(QStringLiteral("stage"));
        for (const QString& s : timed) {
            auto cell = [&](const Run& r) {
                const QJsonObject t = findByKey(r.root.value(QStringLiteral("timings")).toArray(), QStringLiteral("stage"), s);
                return t.isEmpty() ? dash() : seconds(t.value(QStringLiteral("seconds")).toDouble());
            };
            h.row(s, cell(a), cell(b));
        }
        h.endTable();
    }

    // Findings: what the audit concluded, worst first within each run.
    QString findings;
    for (int i = 0; i < 2; ++i) {
        const QString label = i == 0 ? style.labelA : style.labelB;
        for (const char* severity : {"error", "warning", "info"})
            for (const QJsonValue& v : runs[i]->root.value(QStringLiteral("findings")).toArray()) {
                const QJsonObject f = v.toObject();
                if (f.value(QStringLiteral("severity")).toString() != QLatin1String(severity)) continue;
                const bool info = f.value(QStringLiteral("severity")).toString() == QLatin1String("info");
                const QString icon = info ? QStringLiteral("ⓘ") : f.value(QStringLiteral("severity")).toString() == QLatin1String("error")
                                                                      ? QStringLiteral("✖")
                                                                      : QStringLiteral("⚠");
                QString where = f.value(QStringLiteral("module")).toString();
                if (!f.value(QStringLiteral("layer")).toString().isEmpty()) where += QLatin1Char('.') + f.value(QStringLiteral("layer")).toString();
                if (f.value(QStringLiteral("step")).toInt(-1) > 0) where += QStringLiteral(" step %1").arg(f.value(QStringLiteral("step")).toInt());
                const QString text = QStringLiteral("%1 %2: <b>%3</b>%4 — %5")
                                         .arg(icon, label.toHtmlEscaped(), f.value(QStringLiteral("code")).toString().toHtmlEscaped(),
                                              where.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(where.toHtmlEscaped()),
                                              f.value(QStringLiteral("message")).toString().toHtmlEscaped());
                findings += QStringLiteral("<li>%1</li>").arg(info ? h.small(text) : h.warn(text));
            }
    }
    if (!findings.isEmpty()) {
        h.heading(QStringLiteral("Findings"));
        h.out += QStringLiteral("<ul style='margin-left:12px; -qt-list-indent:0'>") + findings + QStringLiteral("</ul>");
    }

    QString warnings;
    for (int i = 0; i < 2; ++i) {
        const QString label = i == 0 ? style.labelA : style.labelB;
        if (!runs[i]->error.isEmpty())
            warnings += QStringLiteral("<li>%1</li>").arg(h.warn(QStringLiteral("%1: report %2").arg(label.toHtmlEscaped(), runs[i]->error.toHtmlEscaped())));
        for (const QJsonValue& w : runs[i]->root.value(QStringLiteral("warnings")).toArray())
            warnings += QStringLiteral("<li>%1</li>").arg(h.warn(QStringLiteral("%1: %2").arg(label.toHtmlEscaped(), w.toString().toHtmlEscaped())));
    }
    if (!warnings.isEmpty()) {
        h.heading(QStringLiteral("Warnings"));
        h.out += QStringLiteral("<ul style='margin-left:12px; -qt-list-indent:0'>") + warnings + QStringLiteral("</ul>");
    }
    return h.out;
}

}  // namespace studio::ui
