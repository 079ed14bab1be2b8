#pragma once
// File > Export: what each export kind writes (pixels + provenance text), independent of
// dialogs so it can be tested and reused by the window's actions.
#include <QList>
#include <QString>

#include <map>
#include <optional>
#include <string>

#include "studio/Generation.h"
#include "studio/ImageIO.h"
#include "studio/Metrics.h"

namespace studio::ui {

enum class ExportKind { A, B, Difference, SideBySide };
QString exportKindName(ExportKind kind);  // "A", "B", "difference", "side-by-side"

struct ExportInputs {
    ImageF a, b;  // either may be empty
    std::optional<RunReport> reportA, reportB;
    QString labelA{QStringLiteral("A")}, labelB{QStringLiteral("B")};
    double gain{10.0};  // difference heatmap gain, as shown in the view
    Colormap colormap{Colormap::Inferno};
    std::string divergence;  // JSON array of B's per-step divergence from A; empty = none
};

struct ExportFormatChoice {
    ImageFormat format;
    QString filter;  // "PNG 8-bit (*.png)"
    QString suffix;  // "png"
};
const QList<ExportFormatChoice>& exportFormats();
QString exportFilters();  // all filters joined for QFileDialog
std::optional<ImageFormat> formatForFilter(const QString& filter);

// The pixels of an export. Throws ExportError when an image it needs is missing or the
// two images differ in size.
ImageF composeExport(ExportKind kind, const ExportInputs& in);
// Provenance text entries: the run's "parameters" + JSON record; difference and sheet
// exports add a "compare" record (labels, metrics, both precisions) inside the JSON.
std::map<std::string, std::string> exportText(ExportKind kind, const ExportInputs& in);
std::string compareJson(const ExportInputs& in);

// composeExport + exportText + write_image. Throws ExportError (unwritable path, bad input).
void exportImage(const QString& path, ImageFormat format, ExportKind kind, const ExportInputs& in);

}  // namespace studio::ui
