#pragma once
// Synthetic test scenes with the features people inspect: smooth gradients (banding), hard
// and anti-aliased edges (jaggies), thin strokes and flat colour patches (colour shifts).
#include <QApplication>
#include <QTest>
#include <QWidget>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "studio/Image.h"

namespace studio::test {

// Round-to-nearest-even to bfloat16 and back, like a bf16 run's last cast.
inline float to_bf16(float v)
{
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    bits = (bits + 0x7fffu + ((bits >> 16) & 1u)) & 0xffff0000u;
    std::memcpy(&v, &bits, 4);
    return v;
}

// variant 0 = the "fp32" reference; 1 = a "bf16" rendering: values rounded through bf16
// plus a coarser gradient (banding), a non-anti-aliased disc (jagged edge) and a warm shift.
inline ImageF scene(int w, int h, int variant)
{
    ImageF img(w, h, 3);
    const double cx = w * 0.68, cy = h * 0.42, r = std::min(w, h) * 0.22;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const double u = (x + 0.5) / w, v = (y + 0.5) / h;
            // Sky-like vertical gradient with a soft horizontal hue drift.
            double R = 0.15 + 0.55 * v + 0.10 * u, G = 0.25 + 0.45 * v, B = 0.55 + 0.35 * (1 - v);
            // Smooth horizontal ramp in the bottom band: where banding shows.
            if (v > 0.78) {
                double t = u;
                if (variant == 1) t = std::floor(t * 48.0) / 48.0;
                R = G = B = 0.08 + 0.84 * t;
            }
            // Disc with an anti-aliased (fp32) or hard (bf16) edge.
            const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy) - r;
            const double cover = variant == 1 ? (d < 0 ? 1.0 : 0.0) : std::clamp(0.5 - d, 0.0, 1.0);
            R = R * (1 - cover) + 0.92 * cover;
            G = G * (1 - cover) + (0.78 + (variant == 1 ? 0.03 : 0.0)) * cover;
            B = B * (1 - cover) + 0.55 * cover;
            // Thin diagonal strokes ("hair"), one pixel wide.
            if (u < 0.45 && v < 0.7 && std::abs(std::fmod(x + 0.6 * y, 23.0) - 11.5) < 0.6) {
                R = 0.85; G = 0.86; B = 0.92;
            }
            // Flat patches with hard edges for colour-shift checks.
            if (u > 0.08 && u < 0.2 && v > 0.5 && v < 0.7) {
                R = 0.72; G = 0.20 + (variant == 1 ? 0.012 : 0.0); B = 0.30;
            }
            float* p = &img.at(x, y, 0);
            p[0] = static_cast<float>(R);
            p[1] = static_cast<float>(G);
            p[2] = static_cast<float>(B);
            if (variant == 1)
                for (int c = 0; c < 3; ++c) p[c] = to_bf16(p[c]);
        }
    }
    return img;
}

inline ImageF checkerboard(int w, int h, float lo = 0.0f, float hi = 1.0f)
{
    ImageF img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) img.at(x, y, c) = ((x + y) & 1) ? hi : lo;
    return img;
}

inline void showAndWait(QWidget& w, QSize size)
{
    w.resize(size);
    w.show();
    (void)QTest::qWaitForWindowExposed(&w);
    QApplication::processEvents();
}

}  // namespace studio::test
