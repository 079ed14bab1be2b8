#include "SweepFiles.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "CliSupport.h"
#if defined(STUDIO_HAVE_IMAGEIO)
#include "studio/SweepPlot.h"
#endif

namespace fs = std::filesystem;

namespace studio::cli {

namespace {
#if defined(STUDIO_HAVE_IMAGEIO)
// Bars of time (stacked by stage) and PSNR per configuration, and the module x dtype heat map
// of the configurations that change a single module.
ImageF sweep_picture(const SweepResults& r) {
    const auto summaries = summarize(r);
    PlotBars time{"Time per image (s, median over seeds and runs)", {}, {"encode", "sample", "decode"}, {}, "%.2f s"};
    PlotBars psnr{"PSNR vs the fp32 reference (dB, mean over seeds; higher = closer)", {}, {"PSNR"}, {}, "%.1f dB"};
    for (const auto& s : summaries) {
        time.labels.push_back(s.config);
        time.values.push_back({s.encode_s, s.sample_s, s.decode_s});
        if (s.config == "fp32") continue;
        psnr.labels.push_back(s.config);
        psnr.values.push_back({s.psnr});
    }
    std::vector<std::string> rows, cols{"fp32"};
    std::map<std::pair<std::string, std::string>, double> cell;
    for (const auto& c : r.configs) {
        std::vector<Module> changed;
        for (Module m : kAllModules)
            if (c.precision.get(m) != Precision::FP32) changed.push_back(m);
        if (changed.size() != 1) continue;
        const std::string row = to_string(changed[0]), col = to_string(c.precision.get(changed[0]));
        if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
        if (std::find(cols.begin(), cols.end(), col) == cols.end()) cols.push_back(col);
        for (const auto& s : summaries)
            if (s.config == c.name) cell[{row, col}] = s.psnr;
    }
    std::sort(rows.begin(), rows.end(), [](const std::string& a, const std::string& b) {
        return static_cast<int>(*parse_module(a)) < static_cast<int>(*parse_module(b));
    });
    PlotHeatMap heat{"PSNR vs fp32 (dB) with one module changed: module x dtype", rows, cols, {}, "%.1f dB"};
    for (const auto& row : rows)
        for (const auto& col : cols) {
            const auto it = cell.find({row, col});
            heat.values.push_back(col == "fp32" ? INFINITY : it != cell.end() ? it->second : NAN);
        }
    return render_sweep_plot({time, psnr}, heat);
}
#endif
}  // namespace

void write_sweep_files(const std::string& dir, const SweepResults& results) {
    const fs::path d(dir);
    write_text_file((d / "sweep.json").string(), sweep_to_json(results));
    write_text_file((d / "sweep.csv").string(), sweep_csv(results));
    write_text_file((d / "sweep.md").string(), sweep_markdown(results));
#if defined(STUDIO_HAVE_IMAGEIO)
    write_output_image((d / "sweep.png").string(), sweep_picture(results), {{"precision-studio-sweep", "sweep.json"}});
#endif
}

SweepResults read_sweep_record(const std::string& dir) {
    const fs::path p = fs::path(dir) / "sweep.json";
    if (!fs::is_regular_file(p)) return {};
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return sweep_from_json(ss.str());
}

}  // namespace studio::cli
