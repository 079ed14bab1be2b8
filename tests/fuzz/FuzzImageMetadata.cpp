// Provenance reading from exported images: PNG text chunks (read without libpng) and TIFF/PNG
// metadata through read_image_metadata, then the settings restored from the record. Garbage
// chunks must give an ImageReadError (or no record), never a crash.
#include "FuzzSupport.h"
#include "studio/Errors.h"
#include "studio/ImageIO.h"
#include "studio/Provenance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The first byte picks the container, the rest is the file.
    if (size < 1) return 0;
    const bool tiff = data[0] & 1;
    const auto path = studio::fuzz::write_scratch(tiff ? "x.tif" : "x.png", data + 1, size - 1);
    try {
        const auto meta = studio::read_image_metadata(path);
        studio::GenerationParams params;
        std::string error;
        studio::RunReport report;
        (void)studio::params_from_provenance(meta.text, params, &error, &report);
    } catch (const studio::StudioError&) {
    }
    return 0;
}
