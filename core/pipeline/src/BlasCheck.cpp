#include "studio/BlasCheck.h"

#include <fstream>
#include <sstream>

namespace studio {

BlasInfo blas_from_maps(const std::string& maps) {
    BlasInfo info;
    std::istringstream in(maps);
    std::string line;
    while (std::getline(in, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const std::string path = line.substr(slash);
        const auto name_at = path.find_last_of('/') + 1;
        const std::string name = path.substr(name_at);
        const bool openblas_like = name.rfind("libopenblas", 0) == 0 || name.rfind("libblis", 0) == 0 ||
                                   name.rfind("libmkl", 0) == 0 || path.find("/openblas") != std::string::npos ||
                                   path.find("/blis") != std::string::npos;
        if (openblas_like) return {path, false};
        // Debian's alternatives: .../blas/libblas.so.3 is netlib; .../openblas-*/libblas.so.3 is OpenBLAS.
        if (name.rfind("libblas.so", 0) == 0) info = {path, path.find("/blas/") != std::string::npos};
    }
    return info;
}

BlasInfo current_blas() {
    std::ifstream in("/proc/self/maps");
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return blas_from_maps(text.str());
}

std::string reference_blas_warning(const BlasInfo& info) {
    if (!info.reference) return {};
    return "libtorch runs on the reference BLAS (" + info.path +
           "): CPU generation is several times slower. Install libopenblas0-openmp (or libopenblas0).";
}

}  // namespace studio
