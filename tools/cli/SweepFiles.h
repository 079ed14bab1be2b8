#pragma once
// The files of `precision-cli sweep` in its --out-dir, each replaced atomically after every row:
// sweep.json (resumable record), sweep.csv, sweep.md and the picture sweep.png.
#include <string>

#include "studio/Sweep.h"

namespace studio::cli {

void write_sweep_files(const std::string& dir, const SweepResults& results);
// Reads dir/sweep.json when it exists (for --resume); an empty SweepResults otherwise.
SweepResults read_sweep_record(const std::string& dir);

}  // namespace studio::cli
