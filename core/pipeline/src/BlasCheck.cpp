#include "studio/BlasCheck.h"

#include <fstream>
#include <sstream>

namespace studio {

BlasInfo blas_from_maps(const std::string& maps) {
    // The BLAS symbols come from libblas.so.3, whichever implementation Debian's alternatives point
    // it to: .../blas/libblas.so.3 is netlib's reference, .../openblas-*/libblas.so.3 OpenBLAS. A
    // program linking an optimised BLAS directly (libopenblas, BLIS, MKL) without libblas is fine.
    BlasInfo info;
    std::istringstream in(maps);
    std::string line;
    while (std::getline(in, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const std::string path = line.substr(slash);
        const std::string name = path.substr(path.find_last_of('/') + 1);
        if (name.rfind("libblas.so", 0) == 0) return {path, path.find("/blas/") != std::string::npos};
        if (info.path.empty() && (name.rfind("libopenblas", 0) == 0 || name.rfind("libblis", 0) == 0 ||
                                  name.rfind("libmkl_rt", 0) == 0))
            info.path = path;
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
