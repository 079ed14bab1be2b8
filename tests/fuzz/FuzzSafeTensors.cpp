// safetensors header + reader: any byte string is either a valid file whose every tensor lies
// inside the data section, or a ModelLoadError. Nothing else may escape.
#include "FuzzSupport.h"
#include "studio/Errors.h"
#include "studio/SafeTensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = studio::fuzz::write_scratch("x.safetensors", data, size);
    try {
        const auto file = studio::SafeTensorFile::open(path);
        const uint64_t total = file->file_size();
        for (const auto& e : file->entries()) {
            const auto* p = file->data(e);
            if (e.end < e.begin || e.end > total) studio::fuzz::finding("range outside the file: " + e.name);
            if (static_cast<uint64_t>(e.numel()) * studio::element_size(e.dtype) != e.end - e.begin)
                studio::fuzz::finding("size mismatch accepted: " + e.name);
            volatile std::byte sink{};
            if (e.end > e.begin) sink = p[e.end - e.begin - 1];  // ASan: the last byte must be mapped
            (void)sink;
            if (file->find(e.name) != &e) studio::fuzz::finding("index does not find " + e.name);
        }
        for (const auto& [k, v] : file->metadata()) (void)k, (void)v;
    } catch (const studio::ModelLoadError&) {
    }
    return 0;
}
