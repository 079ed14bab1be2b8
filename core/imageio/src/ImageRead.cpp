#include <OpenImageIO/imageio.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ImageRead.h"
#include "PngText.h"
#include "studio/ImageIO.h"

namespace studio {
namespace {

constexpr uint64_t kMaxValues = uint64_t(1) << 31;  // 8 GiB of floats: refuse absurd headers

std::string oiio_error(const std::string& local) {
    std::string global = OIIO::geterror();
    return !local.empty() ? local : !global.empty() ? global : "unknown OpenImageIO error";
}

std::unique_ptr<OIIO::ImageInput> open_input(const std::string& file, const char* format_hint,
                                             const std::string& shown_path) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw ImageReadError("no such file", shown_path);
    if (std::filesystem::is_directory(file, ec)) throw ImageReadError("the path is a folder", shown_path);
    // Straight (unassociated) alpha, so that dropping alpha leaves the colours untouched.
    OIIO::ImageSpec config;
    config.attribute("oiio:UnassociatedAlpha", 1);
    std::unique_ptr<OIIO::ImageInput> in;
    if (format_hint) {
        in = OIIO::ImageInput::create(format_hint);
        OIIO::ImageSpec ignored;
        if (in && !in->open(file, ignored, config)) throw ImageReadError(oiio_error(in->geterror()), shown_path);
    } else {
        in = OIIO::ImageInput::open(file, &config);
    }
    if (!in) throw ImageReadError(oiio_error({}), shown_path);
    return in;
}

// ImageDescription written by write_image for TIFF/JPEG: a JSON object of strings.
bool unpack_description(const std::string& desc, std::map<std::string, std::string>& text) {
    const auto j = nlohmann::json::parse(desc, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.empty()) return false;
    for (const auto& [key, value] : j.items())
        if (!value.is_string()) return false;
    for (const auto& [key, value] : j.items()) text[key] = value.get<std::string>();
    return true;
}

}  // namespace

namespace detail {

std::map<std::string, std::string> read_metadata(const std::string& file, const char* format_hint,
                                                 const std::string& shown_path) {
    if (png::file_has_signature(file)) return png::read_text_chunks(file);
    auto in = open_input(file, format_hint, shown_path);
    std::map<std::string, std::string> text;
    std::string description;
    for (const auto& p : in->spec().extra_attribs) {
        if (p.type() != OIIO::TypeString || p.nvalues() != 1) continue;
        const std::string name = p.name().string();
        // Namespaced names ("oiio:", "Exif:", "IPTC:", ...) and storage details are not provenance.
        if (name.find(':') != std::string::npos || name == "compression" || name == "planarconfig") continue;
        const std::string value = p.get<OIIO::ustring>().string();
        if (name == "ImageDescription") description = value;
        else text[name] = value;
    }
    if (!description.empty() && !unpack_description(description, text)) text["ImageDescription"] = description;
    in->close();
    return text;
}

}  // namespace detail

ImageMetadata read_image_metadata(const std::string& path) {
    return ImageMetadata{detail::read_metadata(path, nullptr, path)};
}

ImageF read_image(const std::string& path) {
    auto in = open_input(path, nullptr, path);
    const OIIO::ImageSpec& spec = in->spec();
    const int channels = spec.nchannels;
    if (spec.width <= 0 || spec.height <= 0 || channels <= 0 ||
        uint64_t(spec.width) * uint64_t(spec.height) * uint64_t(channels) > kMaxValues)
        throw ImageReadError("unsupported image size " + std::to_string(spec.width) + "x" +
                                 std::to_string(spec.height) + "x" + std::to_string(channels),
                             path);
    std::vector<float> buf(size_t(spec.width) * spec.height * channels);
    if (!in->read_image(0, 0, 0, channels, OIIO::TypeDesc::FLOAT, buf.data()))
        throw ImageReadError(oiio_error(in->geterror()), path);
    in->close();

    ImageF img(spec.width, spec.height, 3);
    for (size_t p = 0, n = size_t(spec.width) * spec.height; p < n; ++p)
        for (int c = 0; c < 3; ++c) img.pixels[p * 3 + c] = buf[p * channels + (channels >= 3 ? c : 0)];
    return img;
}

}  // namespace studio
