#pragma once
// Which BLAS libtorch's CPU kernels ended up with. Debian's libtorch depends on "libblas3 |
// libblas.so.3"; when only the reference BLAS (netlib, /usr/lib/<arch>/blas/) is installed, CPU
// generation is about six times slower than with OpenBLAS, silently. This names the library
// actually mapped into the process so that front ends can warn.
#include <string>

namespace studio {

struct BlasInfo {
    std::string path;        // the mapped libblas / libopenblas file ("" when none is mapped)
    bool reference{false};   // the unoptimised netlib reference implementation
};

// From the text of /proc/self/maps (a parameter so that tests can feed their own).
BlasInfo blas_from_maps(const std::string& maps);
// The current process (reads /proc/self/maps; empty info when it cannot).
BlasInfo current_blas();
// One line for logs and the status bar, or "" when the BLAS is fine.
std::string reference_blas_warning(const BlasInfo& info);

}  // namespace studio
