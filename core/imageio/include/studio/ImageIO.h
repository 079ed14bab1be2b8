#pragma once
// Image export/import through OpenImageIO, with the provenance text users rely on.
//
// Where the metadata goes:
//   PNG   one chunk per entry: iTXt (UTF-8, uncompressed), except a pure-ASCII "parameters" value,
//         which goes into one tEXt chunk (A1111-style readers); placed before the image data so that
//         readers which stop at the first IDAT see it. Round-trips byte-exact.
//   EXR   one string attribute per entry. Round-trips byte-exact.
//   TIFF, JPEG  OpenImageIO drops custom attributes there, so all entries are stored together as
//         one ASCII-escaped JSON object in ImageDescription (JPEG: the COM marker). Round-trips
//         byte-exact; read_image_metadata unpacks it again.
// Pixels: PNG8/JPEG 8-bit, PNG16/TIFF16 16-bit (rounded, clamped to [0,1], non-finite pixels
// magenta), EXR 32-bit float values unchanged (sRGB-encoded like the other formats, not linear).
#include <map>
#include <string>

#include "studio/Errors.h"
#include "studio/Image.h"

namespace studio {

enum class ImageFormat { PNG8, PNG16, TIFF16, EXR, JPEG };

// By extension (case-insensitive): .png (bits 16 -> PNG16), .tif/.tiff, .exr, .jpg/.jpeg.
// Throws ExportError for anything else.
ImageFormat format_from_path(const std::string& path, int bits = 8);
const char* format_name(ImageFormat format);  // "PNG (8-bit)", ...

struct ImageMetadata {
    std::map<std::string, std::string> text;  // e.g. "parameters" (A1111 line), "precision-studio" (JSON)
};

// A file that exists but cannot be decoded (not an image, truncated, corrupt).
class ImageReadError : public StudioError {
public:
    ImageReadError(const std::string& message, std::string path)
        : StudioError("cannot read image '" + path + "': " + message), m_path(std::move(path)) {}
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

// Writes to "<path>.tmp-XXXXXX" in the same folder, then renames: a failed export never leaves a
// half-written file, and an existing file is replaced only by a complete one. An unwritable
// folder, a bad path, an invalid image or an invalid PNG keyword -> ExportError naming the path
// and the reason. Accepts 1 (grey), 3 or 4 channels (alpha is not exported).
void write_image(const std::string& path, const ImageF& image, ImageFormat format, const ImageMetadata& meta);

// Any format OpenImageIO reads -> float RGB in [0,1] (grey is replicated, alpha dropped).
// Throws ImageReadError.
ImageF read_image(const std::string& path);

// The text entries written by write_image, and those of other tools: PNG tEXt/zTXt/iTXt chunks
// (parsed directly, iTXt wins over zTXt over tEXt), EXR/TIFF/JPEG string attributes. Does not
// decode pixels. Throws ImageReadError.
ImageMetadata read_image_metadata(const std::string& path);

}  // namespace studio
