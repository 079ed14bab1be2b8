#pragma once
// Renders the JSON reports of two runs (RunReport as written by the pipeline) as one HTML
// comparison: per module requested vs effective numerics and weight dtypes, stage checks,
// timings, peak memory; mismatches, NaN/Inf and warnings in red. Malformed JSON is reported
// in the output, never thrown.
#include <QString>

namespace studio::ui {

struct ReportStyle {
    bool dark{false};  // pick colours readable on a dark palette
    QString labelA{QStringLiteral("A")};
    QString labelB{QStringLiteral("B")};
};

QString reportsToHtml(const QString& jsonA, const QString& jsonB, const ReportStyle& style = {});

// "1.50 GiB", "512 MiB", "740 KiB", "12 B".
QString formatBytes(double bytes);

}  // namespace studio::ui
