#pragma once
// The sweep picture (sweep.png): bar charts (e.g. time per image split by stage, PSNR per
// configuration) above a module x dtype heat map, drawn with OpenImageIO's ImageBufAlgo so the
// command line needs no GUI toolkit. Plain data in, an RGB image out.
#include <string>
#include <vector>

#include "studio/Image.h"

namespace studio {

struct PlotBars {
    std::string title;                        // "Time per image (s)"
    std::vector<std::string> labels;          // one bar per label
    std::vector<std::string> segment_names;   // stacked parts of each bar ("encode", "sample", "decode"); one = plain
    std::vector<std::vector<double>> values;  // [label][segment]; +inf draws a full bar marked "inf", NaN "n/a"
    std::string value_format{"%.2f"};         // printf format of the total at the bar's end
};

struct PlotHeatMap {
    std::string title;                        // "PSNR vs fp32 (dB), one module changed"
    std::vector<std::string> rows, columns;   // modules, dtypes
    std::vector<double> values;               // rows x columns, row-major; NaN = not run, +inf = identical
    std::string value_format{"%.1f"};
};

// Throws StudioError when a chart's sizes disagree or the font cannot be found.
ImageF render_sweep_plot(const std::vector<PlotBars>& bars, const PlotHeatMap& heat);

}  // namespace studio
