#include "studio/SweepPlot.h"

#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imagebufalgo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "studio/Errors.h"
#include "studio/Metrics.h"

namespace studio {

namespace {
namespace OIIO_ = OIIO;

constexpr int kWidth = 1100;
constexpr int kLabelWidth = 250;
constexpr int kValueWidth = 110;
constexpr int kBarHeight = 20;
constexpr int kBarGap = 6;
constexpr int kTitleHeight = 40;
constexpr int kMargin = 16;
constexpr int kCell = 46;
const char* const kFont = "DejaVuSans";

// Segment colours (tab10-like) and text colours.
const float kSegment[][3] = {{0.27f, 0.51f, 0.71f}, {0.99f, 0.55f, 0.24f}, {0.30f, 0.69f, 0.29f}, {0.84f, 0.15f, 0.16f}};
const float kBlack[3] = {0.1f, 0.1f, 0.1f};
const float kGrey[3] = {0.55f, 0.55f, 0.55f};
const float kWhite[3] = {1.0f, 1.0f, 1.0f};

std::string format(const std::string& f, double v) {
    if (std::isnan(v)) return "n/a";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, f.c_str(), v);
    return buf;
}

class Canvas {
public:
    explicit Canvas(int height) : m_buf(OIIO_::ImageSpec(kWidth, height, 3, OIIO_::TypeDesc::FLOAT)) {
        OIIO_::ImageBufAlgo::fill(m_buf, OIIO_::cspan<float>(kWhite, 3));
    }
    void box(int x0, int y0, int x1, int y1, const float* rgb) {
        if (x1 <= x0 || y1 <= y0) return;
        OIIO_::ImageBufAlgo::fill(m_buf, OIIO_::cspan<float>(rgb, 3), OIIO_::ROI(x0, x1, y0, y1, 0, 1, 0, 3));
    }
    void text(int x, int y, const std::string& s, int size, const float* rgb, bool right = false) {
        auto align = right ? OIIO_::ImageBufAlgo::TextAlignX::Right : OIIO_::ImageBufAlgo::TextAlignX::Left;
        if (!OIIO_::ImageBufAlgo::render_text(m_buf, x, y, s, size, kFont, OIIO_::cspan<float>(rgb, 3), align))
            throw StudioError("cannot draw the sweep plot's text (font " + std::string(kFont) + "): " + m_buf.geterror());
    }
    ImageF image() const {
        ImageF out(kWidth, m_buf.spec().height, 3);
        m_buf.get_pixels(OIIO_::ROI::All(), OIIO_::TypeDesc::FLOAT, out.pixels.data());
        return out;
    }

private:
    OIIO_::ImageBuf m_buf;
};

int bars_height(const PlotBars& b) {
    return kTitleHeight + static_cast<int>(b.labels.size()) * (kBarHeight + kBarGap) + (b.segment_names.size() > 1 ? 24 : 0) + kMargin;
}

void draw_bars(Canvas& c, int top, const PlotBars& b) {
    c.text(kMargin, top + 26, b.title, 18, kBlack);
    const int x0 = kLabelWidth, x1 = kWidth - kValueWidth;
    double scale = 0;
    for (const auto& v : b.values) {
        double t = 0;
        for (double s : v) t += std::isfinite(s) ? s : 0;
        scale = std::max(scale, t);
    }
    if (!(scale > 0)) scale = 1;
    int y = top + kTitleHeight;
    for (size_t i = 0; i < b.labels.size(); ++i) {
        c.text(x0 - 8, y + kBarHeight - 5, b.labels[i], 14, kBlack, true);
        double total = 0;
        bool inf = false, nan = b.values[i].empty();
        int x = x0;
        for (size_t s = 0; s < b.values[i].size(); ++s) {
            const double v = b.values[i][s];
            if (std::isinf(v)) inf = true;
            if (std::isnan(v)) nan = true;
            if (!std::isfinite(v)) continue;
            total += v;
            const int w = static_cast<int>(std::lround(v / scale * (x1 - x0)));
            c.box(x, y, x + w, y + kBarHeight, kSegment[s % 4]);
            x += w;
        }
        if (inf) {
            // Identical to the reference: a hatched full bar says "no error" without a number.
            for (int hx = x0; hx < x1; hx += 8) c.box(hx, y, std::min(hx + 4, x1), y + kBarHeight, kGrey);
        }
        const std::string value = nan ? "n/a" : inf ? "inf" : format(b.value_format, total);
        c.text((inf ? x1 : x) + 6, y + kBarHeight - 5, value, 14, kBlack);
        y += kBarHeight + kBarGap;
    }
    if (b.segment_names.size() > 1) {
        int lx = x0;
        for (size_t s = 0; s < b.segment_names.size(); ++s) {
            c.box(lx, y + 4, lx + 14, y + 18, kSegment[s % 4]);
            c.text(lx + 20, y + 17, b.segment_names[s], 14, kBlack);
            lx += 120;
        }
    }
}

int heat_height(const PlotHeatMap& h) {
    return h.rows.empty() ? 0 : kTitleHeight + static_cast<int>(h.rows.size() + 1) * kCell + 50 + kMargin;
}

void draw_heat(Canvas& c, int top, const PlotHeatMap& h) {
    c.text(kMargin, top + 26, h.title, 18, kBlack);
    double lo = INFINITY, hi = -INFINITY;
    for (double v : h.values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(hi > lo)) lo = std::isfinite(lo) ? lo - 1 : 0, hi = std::isfinite(hi) ? hi + 1 : 1;
    const int x0 = kLabelWidth, y0 = top + kTitleHeight;
    const int cell_w = std::min(140, (kWidth - kLabelWidth - kMargin) / std::max<int>(1, static_cast<int>(h.columns.size())));
    for (size_t col = 0; col < h.columns.size(); ++col)
        c.text(x0 + static_cast<int>(col) * cell_w + 8, y0 + kCell - 14, h.columns[col], 15, kBlack);
    for (size_t r = 0; r < h.rows.size(); ++r) {
        const int y = y0 + static_cast<int>(r + 1) * kCell;
        c.text(x0 - 8, y + kCell / 2 + 5, h.rows[r], 15, kBlack, true);
        for (size_t col = 0; col < h.columns.size(); ++col) {
            const double v = h.values[r * h.columns.size() + col];
            const int x = x0 + static_cast<int>(col) * cell_w;
            float rgb[3] = {0.85f, 0.85f, 0.85f};
            if (std::isfinite(v) || std::isinf(v)) {
                const auto m = colormap_lookup(Colormap::Viridis, std::isinf(v) ? 1.0 : (v - lo) / (hi - lo));
                rgb[0] = m[0], rgb[1] = m[1], rgb[2] = m[2];
            }
            c.box(x + 1, y + 1, x + cell_w - 1, y + kCell - 1, rgb);
            const bool dark = 0.3f * rgb[0] + 0.59f * rgb[1] + 0.11f * rgb[2] < 0.5f;
            const std::string text = std::isnan(v) ? "not run" : std::isinf(v) ? "identical" : format(h.value_format, v);
            c.text(x + 8, y + kCell / 2 + 5, text, 14, dark ? kWhite : kBlack);
        }
    }
    // Colour scale.
    const int ly = y0 + static_cast<int>(h.rows.size() + 1) * kCell + 14;
    for (int i = 0; i < 200; ++i) {
        const auto m = colormap_lookup(Colormap::Viridis, i / 199.0);
        const float rgb[3] = {m[0], m[1], m[2]};
        c.box(x0 + i, ly, x0 + i + 1, ly + 14, rgb);
    }
    c.text(x0 - 8, ly + 12, format(h.value_format, lo), 13, kBlack, true);
    c.text(x0 + 206, ly + 12, format(h.value_format, hi) + "   (grey: not run)", 13, kBlack);
}
}  // namespace

ImageF render_sweep_plot(const std::vector<PlotBars>& bars, const PlotHeatMap& heat) {
    for (const auto& b : bars)
        if (b.labels.size() != b.values.size())
            throw StudioError("sweep plot '" + b.title + "': " + std::to_string(b.labels.size()) + " labels but " +
                              std::to_string(b.values.size()) + " values");
    if (heat.values.size() != heat.rows.size() * heat.columns.size())
        throw StudioError("sweep plot heat map '" + heat.title + "' has " + std::to_string(heat.values.size()) +
                          " values for " + std::to_string(heat.rows.size()) + "x" + std::to_string(heat.columns.size()) + " cells");
    int height = kMargin + heat_height(heat);
    for (const auto& b : bars) height += bars_height(b);
    Canvas canvas(height);
    int top = kMargin / 2;
    for (const auto& b : bars) {
        draw_bars(canvas, top, b);
        top += bars_height(b);
    }
    if (!heat.rows.empty()) draw_heat(canvas, top, heat);
    return canvas.image();
}

}  // namespace studio
