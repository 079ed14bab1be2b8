#include "studio/ImageIO.h"

#include <OpenImageIO/imageio.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "AtomicFile.h"
#include "ImageRead.h"
#include "PngText.h"
#include "studio/Metrics.h"

namespace studio {
namespace {

const char* oiio_format(ImageFormat f) {
    switch (f) {
    case ImageFormat::PNG8:
    case ImageFormat::PNG16: return "png";
    case ImageFormat::TIFF16: return "tiff";
    case ImageFormat::EXR: return "openexr";
    case ImageFormat::JPEG: return "jpeg";
    }
    return "png";
}

// Names OpenImageIO or OpenEXR interpret themselves: a string entry there would change the file.
void validate_exr_key(const std::string& key) {
    static const std::set<std::string> reserved = {
        "channels", "compression", "datawindow", "displaywindow", "lineorder", "pixelaspectratio",
        "screenwindowcenter", "screenwindowwidth", "tiles", "type", "name", "version", "chunkcount",
        "view", "chromaticities", "imagedescription", "comments", "datetime", "capdate", "copyright", "owner"};
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key.empty() || key.find(':') != std::string::npos || reserved.count(lower))
        throw ExportError("metadata key '" + key + "' is reserved in EXR files");
}

// All entries as one ASCII-only JSON object (TIFF/JPEG descriptions are plain byte strings).
std::string pack_description(const ImageMetadata& meta, const std::string& path) {
    try {
        return nlohmann::json(meta.text).dump(-1, ' ', /*ensure_ascii=*/true);
    } catch (const nlohmann::json::exception& e) {
        throw ExportError("cannot export '" + path + "': metadata is not valid UTF-8 (" + e.what() + ")");
    }
}

// Pixels converted to what the format stores, always RGB.
std::vector<float> float_rgb(const ImageF& img) {
    std::vector<float> rgb(static_cast<size_t>(img.width) * img.height * 3);
    const int src = img.channels;
    for (size_t p = 0, n = static_cast<size_t>(img.width) * img.height; p < n; ++p)
        for (int c = 0; c < 3; ++c) rgb[p * 3 + c] = img.pixels[p * src + (src >= 3 ? c : 0)];
    return rgb;
}

constexpr int kMaxJpegSize = 65500;
constexpr size_t kMaxDescription = 65000;  // bytes of packed JSON for TIFF/JPEG

void validate_image(const ImageF& img, ImageFormat format, const std::string& path) {
    const bool ok = img.width > 0 && img.height > 0 && img.channels >= 1 && img.channels <= 4 &&
                    img.pixels.size() == img.index(0, img.height);
    if (!ok)
        throw ExportError("cannot export '" + path + "': invalid image " + std::to_string(img.width) + "x" +
                          std::to_string(img.height) + "x" + std::to_string(img.channels) + " with " +
                          std::to_string(img.pixels.size()) + " values");
    // libjpeg's limit; OpenImageIO's JPEG writer exits the process instead of failing past it.
    if (format == ImageFormat::JPEG && (img.width > kMaxJpegSize || img.height > kMaxJpegSize))
        throw ExportError("cannot export '" + path + "': JPEG images are limited to " +
                          std::to_string(kMaxJpegSize) + " pixels per side");
}

std::string oiio_error(const std::string& local) {
    std::string global = OIIO::geterror();
    return !local.empty() ? local : !global.empty() ? global : "unknown OpenImageIO error";
}

void encode(const std::string& temp, const std::string& path, const ImageF& image, ImageFormat format,
            const ImageMetadata& meta) {
    const bool png = format == ImageFormat::PNG8 || format == ImageFormat::PNG16;
    OIIO::TypeDesc type = OIIO::TypeDesc::UINT8;
    if (format == ImageFormat::PNG16 || format == ImageFormat::TIFF16) type = OIIO::TypeDesc::UINT16;
    if (format == ImageFormat::EXR) type = OIIO::TypeDesc::FLOAT;

    OIIO::ImageSpec spec(image.width, image.height, 3, type);
    // The PNG writer would store this hint as a tEXt chunk; PNG is sRGB by default anyway.
    if (!png) spec.attribute("oiio:ColorSpace", "sRGB");
    switch (format) {
    case ImageFormat::TIFF16: spec.attribute("compression", "zip"); break;
    case ImageFormat::EXR: spec.attribute("compression", "zip"); break;
    case ImageFormat::JPEG: spec.attribute("Compression", "jpeg:95"); break;
    default: break;
    }
    if (format == ImageFormat::EXR)
        for (const auto& [key, value] : meta.text) spec.attribute(key, value);
    else if (!png && !meta.text.empty())
        spec.attribute("ImageDescription", pack_description(meta, path));

    auto out = OIIO::ImageOutput::create(oiio_format(format));
    if (!out) throw ExportError("cannot export '" + path + "': " + oiio_error({}));
    if (!out->open(temp, spec)) throw ExportError("cannot export '" + path + "': " + oiio_error(out->geterror()));
    bool ok;
    if (type == OIIO::TypeDesc::UINT8) ok = out->write_image(type, to_rgb8(image).data());
    else if (type == OIIO::TypeDesc::UINT16) ok = out->write_image(type, to_rgb16(image).data());
    else ok = out->write_image(type, float_rgb(image).data());
    ok = out->close() && ok;
    if (!ok) throw ExportError("cannot export '" + path + "': " + oiio_error(out->geterror()));
}

}  // namespace

const char* format_name(ImageFormat format) {
    switch (format) {
    case ImageFormat::PNG8: return "PNG (8-bit)";
    case ImageFormat::PNG16: return "PNG (16-bit)";
    case ImageFormat::TIFF16: return "TIFF (16-bit)";
    case ImageFormat::EXR: return "OpenEXR (32-bit float)";
    case ImageFormat::JPEG: return "JPEG";
    }
    return "?";
}

ImageFormat format_from_path(const std::string& path, int bits) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".png") return bits > 8 ? ImageFormat::PNG16 : ImageFormat::PNG8;
    if (ext == ".tif" || ext == ".tiff") return ImageFormat::TIFF16;
    if (ext == ".exr") return ImageFormat::EXR;
    if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::JPEG;
    throw ExportError("cannot export '" + path + "': unknown image extension '" + ext +
                      "' (use .png, .tif, .exr or .jpg)");
}

void write_image(const std::string& path, const ImageF& image, ImageFormat format, const ImageMetadata& meta) {
    validate_image(image, format, path);
    const bool png = format == ImageFormat::PNG8 || format == ImageFormat::PNG16;
    for (const auto& [key, value] : meta.text) {
        if (png) png::validate_keyword(key);
        else if (format == ImageFormat::EXR) validate_exr_key(key);
    }
    if (!png && format != ImageFormat::EXR) {
        // A JPEG marker holds 65533 bytes (libjpeg exits the process past it) and OpenImageIO
        // loses longer TIFF descriptions: refuse before any file is touched.
        const size_t size = pack_description(meta, path).size();
        if (size > kMaxDescription)
            throw ExportError("cannot export '" + path + "': " + std::to_string(size) +
                              " bytes of metadata exceed the " + std::to_string(kMaxDescription) + " that " +
                              format_name(format) + " can hold; export PNG or EXR instead");
    }

    AtomicFile file(path);
    encode(file.temp_path(), path, image, format, meta);
    if (png && !meta.text.empty()) file.write_temp(png::insert_text_chunks(file.read_temp(), meta.text));

    // Provenance is the point of exporting here: prove it survived before the file appears.
    std::map<std::string, std::string> stored;
    try {
        stored = detail::read_metadata(file.temp_path(), oiio_format(format), path);
    } catch (const StudioError& e) {
        throw ExportError("cannot export '" + path + "': the written file does not read back: " + e.what());
    }
    for (const auto& [key, value] : meta.text) {
        auto it = stored.find(key);
        if (it == stored.end() || it->second != value)
            throw ExportError("cannot export '" + path + "': metadata entry '" + key + "' did not survive in " +
                              format_name(format));
    }
    file.commit();
}

}  // namespace studio
