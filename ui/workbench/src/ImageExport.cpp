#include "studio/ui/ImageExport.h"

#include <QFont>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "studio/Errors.h"
#include "studio/Provenance.h"
#include "studio/ui/ImageConvert.h"

namespace studio::ui {

namespace {
constexpr int kLabelHeight = 32;
constexpr float kGapValue = 0.1f;

const ImageF& require(const ImageF& img, const QString& label) {
    if (img.empty()) throw ExportError("there is no image " + label.toStdString() + " to export yet");
    return img;
}

void requireSameSize(const ImageF& a, const ImageF& b) {
    if (a.width != b.width || a.height != b.height)
        throw ExportError("A is " + std::to_string(a.width) + "x" + std::to_string(a.height) + " but B is " +
                          std::to_string(b.width) + "x" + std::to_string(b.height) + "; they cannot be compared");
}

// The image with a caption strip above it. Only the strip is rendered through QPainter;
// the image's own float values are copied untouched.
ImageF withLabel(const ImageF& img, const QString& label) {
    QImage strip(img.width, kLabelHeight, QImage::Format_RGB32);
    const int grey = static_cast<int>(std::lround(kGapValue * 255));
    strip.fill(QColor(grey, grey, grey));
    {
        QPainter p(&strip);
        QFont font;
        font.setPixelSize(18);
        font.setBold(true);
        p.setFont(font);
        p.setPen(Qt::white);
        const QRect box = strip.rect().adjusted(8, 0, -8, 0);
        p.drawText(box, Qt::AlignVCenter | Qt::AlignLeft, QFontMetrics(font).elidedText(label, Qt::ElideRight, box.width()));
    }
    const ImageF top = fromQImage(strip);
    ImageF out(img.width, img.height + kLabelHeight, img.channels, 1.0f);
    for (int y = 0; y < kLabelHeight; ++y)
        for (int x = 0; x < img.width; ++x)
            for (int c = 0; c < img.channels; ++c) out.at(x, y, c) = c < 3 ? top.at(x, y, c) : 1.0f;
    std::copy(img.pixels.begin(), img.pixels.end(), out.pixels.begin() + out.index(0, kLabelHeight));
    return out;
}

QString differenceLabel(const ExportInputs& in) {
    return QStringLiteral("|%1 \u2212 %2| \u00d7 %3").arg(in.labelA, in.labelB).arg(in.gain);
}

nlohmann::json metricsJson(const DiffMetrics& m) {
    auto finite = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(std::isnan(v) ? "nan" : "inf"); };
    return {{"psnr_db", finite(m.psnr)}, {"ssim", finite(m.ssim)},     {"max_abs", m.max_abs},
            {"max_at", {m.max_x, m.max_y}},   {"mean_abs", m.mean_abs},    {"rmse", m.rmse},
            {"threshold", m.threshold},       {"fraction_over", m.fraction_over}, {"pixels", m.pixels},
            {"nonfinite_pixels", m.nonfinite}};
}
}  // namespace

QString exportKindName(ExportKind kind) {
    switch (kind) {
        case ExportKind::A: return QStringLiteral("A");
        case ExportKind::B: return QStringLiteral("B");
        case ExportKind::Difference: return QStringLiteral("difference");
        case ExportKind::SideBySide: return QStringLiteral("side-by-side");
    }
    return {};
}

const QList<ExportFormatChoice>& exportFormats() {
    static const QList<ExportFormatChoice> formats{
        {ImageFormat::PNG8, QStringLiteral("PNG 8-bit (*.png)"), QStringLiteral("png")},
        {ImageFormat::PNG16, QStringLiteral("PNG 16-bit (*.png)"), QStringLiteral("png")},
        {ImageFormat::TIFF16, QStringLiteral("TIFF 16-bit (*.tif *.tiff)"), QStringLiteral("tif")},
        {ImageFormat::EXR, QStringLiteral("OpenEXR float (*.exr)"), QStringLiteral("exr")},
        {ImageFormat::JPEG, QStringLiteral("JPEG (*.jpg *.jpeg)"), QStringLiteral("jpg")},
    };
    return formats;
}

QString exportFilters() {
    QStringList filters;
    for (const auto& f : exportFormats()) filters << f.filter;
    return filters.join(QStringLiteral(";;"));
}

std::optional<ImageFormat> formatForFilter(const QString& filter) {
    for (const auto& f : exportFormats())
        if (f.filter == filter) return f.format;
    return std::nullopt;
}

ImageF composeExport(ExportKind kind, const ExportInputs& in) {
    switch (kind) {
        case ExportKind::A: return require(in.a, in.labelA);
        case ExportKind::B: return require(in.b, in.labelB);
        case ExportKind::Difference:
            requireSameSize(require(in.a, in.labelA), require(in.b, in.labelB));
            return difference_heatmap(in.a, in.b, in.gain, in.colormap);
        case ExportKind::SideBySide: {
            requireSameSize(require(in.a, in.labelA), require(in.b, in.labelB));
            const ImageF a = withLabel(in.a, in.labelA);
            const ImageF b = withLabel(in.b, in.labelB);
            const ImageF d = withLabel(difference_heatmap(in.a, in.b, in.gain, in.colormap), differenceLabel(in));
            return side_by_side({&a, &b, &d}, 8, kGapValue);
        }
    }
    throw ExportError("unknown export kind");
}

std::string compareJson(const ExportInputs& in) {
    nlohmann::json j;
    j["labels"] = {in.labelA.toStdString(), in.labelB.toStdString()};
    j["difference_gain"] = in.gain;
    if (!in.a.empty() && !in.b.empty() && in.a.width == in.b.width && in.a.height == in.b.height)
        j["metrics"] = metricsJson(compare_images(in.a, in.b));
    if (in.reportA) j["a"] = nlohmann::json::parse(in.reportA->to_json(-1));
    if (in.reportB) j["b"] = nlohmann::json::parse(in.reportB->to_json(-1));
    if (!in.divergence.empty()) j["divergence_per_step"] = nlohmann::json::parse(in.divergence);
    return nlohmann::json{{"compare", j}}.dump();
}

std::map<std::string, std::string> exportText(ExportKind kind, const ExportInputs& in) {
    switch (kind) {
        case ExportKind::A: return in.reportA ? provenance_text(*in.reportA) : std::map<std::string, std::string>{};
        case ExportKind::B: return in.reportB ? provenance_text(*in.reportB) : std::map<std::string, std::string>{};
        case ExportKind::Difference:
        case ExportKind::SideBySide: {
            const std::optional<RunReport>& base = in.reportA ? in.reportA : in.reportB;
            if (base) return provenance_text(*base, compareJson(in));
            return {{"compare", compareJson(in)}};
        }
    }
    return {};
}

void exportImage(const QString& path, ImageFormat format, ExportKind kind, const ExportInputs& in) {
    if (path.isEmpty()) throw ExportError("no file name was given");
    const ImageF pixels = composeExport(kind, in);
    ImageMetadata meta;
    meta.text = exportText(kind, in);
    try {
        write_image(path.toStdString(), pixels, format, meta);
    } catch (const StudioError&) {
        throw;
    } catch (const std::exception& e) {
        throw ExportError("could not write " + path.toStdString() + ": " + e.what());
    }
}

}  // namespace studio::ui
