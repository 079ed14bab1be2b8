#include "studio/demo/CharacterRenderer.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace studio::demo {

namespace {
struct Rgb {
    float r, g, b;
};
Rgb rgb(const NamedColor& c) { return {c.r, c.g, c.b}; }
Rgb mix(Rgb a, Rgb b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }
Rgb scale(Rgb a, float s) { return {std::min(1.f, a.r * s), std::min(1.f, a.g * s), std::min(1.f, a.b * s)}; }
const Rgb kSkin{1.0f, 0.88f, 0.80f}, kWhite{1, 1, 1}, kInk{0.16f, 0.10f, 0.12f};

// Signed distances (negative inside), in pixels.
float sd_ellipse(float x, float y, float cx, float cy, float rx, float ry) {
    const float dx = (x - cx) / rx, dy = (y - cy) / ry;
    return (std::sqrt(dx * dx + dy * dy) - 1.0f) * std::min(rx, ry);
}
float sd_box(float x, float y, float cx, float cy, float hx, float hy, float radius) {
    const float qx = std::abs(x - cx) - hx + radius, qy = std::abs(y - cy) - hy + radius;
    const float ox = std::max(qx, 0.f), oy = std::max(qy, 0.f);
    return std::sqrt(ox * ox + oy * oy) + std::min(std::max(qx, qy), 0.f) - radius;
}
float sd_segment(float x, float y, float ax, float ay, float bx, float by, float half_width) {
    const float px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
    const float h = std::clamp((px * dx + py * dy) / (dx * dx + dy * dy), 0.f, 1.f);
    return std::hypot(px - dx * h, py - dy * h) - half_width;
}
float coverage(float d) { return std::clamp(0.5f - d, 0.f, 1.f); }

class Canvas {
public:
    explicit Canvas(int size) : m_img(size, size, 3) {}
    // Paints `color(x, y)` with the coverage of `sdf` over the shape's bounding box.
    void fill(float x0, float y0, float x1, float y1, const std::function<float(float, float)>& sdf,
              const std::function<Rgb(float, float)>& color, float alpha = 1.0f) {
        const int ix0 = std::max(0, static_cast<int>(std::floor(x0)) - 1), iy0 = std::max(0, static_cast<int>(std::floor(y0)) - 1);
        const int ix1 = std::min(m_img.width - 1, static_cast<int>(std::ceil(x1)) + 1);
        const int iy1 = std::min(m_img.height - 1, static_cast<int>(std::ceil(y1)) + 1);
        for (int y = iy0; y <= iy1; ++y)
            for (int x = ix0; x <= ix1; ++x) {
                const float px = x + 0.5f, py = y + 0.5f;
                const float a = coverage(sdf(px, py)) * alpha;
                if (a <= 0) continue;
                const Rgb c = color(px, py);
                float* p = &m_img.at(x, y, 0);
                p[0] += (c.r - p[0]) * a, p[1] += (c.g - p[1]) * a, p[2] += (c.b - p[2]) * a;
            }
    }
    void fill(float x0, float y0, float x1, float y1, const std::function<float(float, float)>& sdf, Rgb c, float alpha = 1.0f) {
        fill(x0, y0, x1, y1, sdf, [c](float, float) { return c; }, alpha);
    }
    ImageF& image() { return m_img; }

private:
    ImageF m_img;
};

void draw_background(Canvas& cv, const Scene& s) {
    const Rgb base = rgb(background_colors()[s.background_color]);
    const Rgb light = mix(base, kWhite, 0.22f);
    const float n = static_cast<float>(cv.image().width);
    for (int y = 0; y < cv.image().height; ++y)
        for (int x = 0; x < cv.image().width; ++x) {
            Rgb c = base;
            const float fx = x + 0.5f, fy = y + 0.5f;
            switch (s.pattern) {
                case BackgroundPattern::Gradient: c = mix(base, light, fy / n); break;
                case BackgroundPattern::Stripes: {
                    const float phase = std::fmod(fx + fy, n / 8) / (n / 8);
                    c = mix(base, light, std::clamp((std::abs(phase - 0.5f) - 0.25f) * (n / 8) + 0.5f, 0.f, 1.f));
                    break;
                }
                case BackgroundPattern::Dots: {
                    const float cell = n / 10, gx = std::fmod(fx, cell) - cell / 2, gy = std::fmod(fy, cell) - cell / 2;
                    c = mix(base, light, coverage(std::hypot(gx, gy) - cell * 0.18f));
                    break;
                }
                default: break;
            }
            float* p = &cv.image().at(x, y, 0);
            p[0] = c.r, p[1] = c.g, p[2] = c.b;
        }
}

void draw_character(Canvas& cv, const Scene& s, size_t index) {
    const Character& c = s.characters[index];
    const CharacterLayout L = layout_for(s, index, cv.image().width);
    const float cx = L.cx, cy = L.cy, R = L.r;
    const Rgb hair = rgb(hair_colors()[c.hair_color]);
    // Hair gets a vertical gradient: lighter at the crown, darker at the tips.
    auto hair_shade = [hair, cy, R](float, float y) { return scale(hair, 1.15f - 0.35f * std::clamp((y - (cy - R)) / (3 * R), 0.f, 1.f)); };
    const Rgb cloth = rgb(clothing_colors()[c.clothing_color]);

    // Hair behind the head.
    if (c.hair_style == HairStyle::Long)
        cv.fill(cx - 1.3f * R, cy - 1.2f * R, cx + 1.3f * R, cy + 2.0f * R,
                [=](float x, float y) { return sd_box(x, y, cx, cy + 0.4f * R, 1.22f * R, 1.55f * R, 0.6f * R); }, hair_shade);
    if (c.hair_style == HairStyle::Twintails)
        for (float side : {-1.f, 1.f})
            cv.fill(cx + side * 1.4f * R - 0.5f * R, cy - 0.3f * R, cx + side * 1.4f * R + 0.5f * R, cy + 2.0f * R,
                    [=](float x, float y) { return sd_ellipse(x, y, cx + side * 1.4f * R, cy + 0.85f * R, 0.42f * R, 1.1f * R); }, hair_shade);
    if (c.hair_style == HairStyle::Ponytail)
        cv.fill(cx + 0.6f * R, cy - 0.6f * R, cx + 1.8f * R, cy + 1.7f * R,
                [=](float x, float y) { return sd_ellipse(x, y, cx + 1.2f * R, cy + 0.55f * R, 0.42f * R, 1.05f * R); }, hair_shade);

    // Body and clothing.
    const float body_hw = c.clothing == Clothing::Dress ? 1.45f * R : 1.25f * R;
    cv.fill(cx - 0.3f * R, cy + 0.7f * R, cx + 0.3f * R, cy + 1.5f * R,
            [=](float x, float y) { return sd_box(x, y, cx, cy + 1.1f * R, 0.24f * R, 0.35f * R, 0.05f * R); }, scale(kSkin, 0.93f));
    cv.fill(cx - body_hw, cy + 1.2f * R, cx + body_hw, cy + 3.2f * R,
            [=](float x, float y) { return sd_box(x, y, cx, cy + 2.25f * R, body_hw, 0.95f * R, 0.55f * R); },
            [=](float, float y) { return scale(cloth, 1.05f - 0.2f * std::clamp((y - cy - 1.3f * R) / (1.5f * R), 0.f, 1.f)); });
    if (c.clothing == Clothing::SailorUniform) {
        cv.fill(cx - 0.9f * R, cy + 1.2f * R, cx + 0.9f * R, cy + 2.0f * R,
                [=](float x, float y) { return std::max(sd_box(x, y, cx, cy + 1.55f * R, 0.85f * R, 0.3f * R, 0.2f * R), -sd_segment(x, y, cx, cy + 1.2f * R, cx, cy + 1.9f * R, 0.25f * R)); },
                kWhite);
        cv.fill(cx - 0.2f * R, cy + 1.6f * R, cx + 0.2f * R, cy + 2.0f * R,
                [=](float x, float y) { return sd_ellipse(x, y, cx, cy + 1.8f * R, 0.16f * R, 0.12f * R); }, Rgb{0.85f, 0.1f, 0.15f});
    } else if (c.clothing == Clothing::Hoodie) {
        for (float side : {-1.f, 1.f})
            cv.fill(cx - 1.2f * R, cy + 1.3f * R, cx + 1.2f * R, cy + 2.4f * R,
                    [=](float x, float y) { return sd_segment(x, y, cx + side * 0.25f * R, cy + 1.4f * R, cx + side * 0.3f * R, cy + 2.2f * R, 0.03f * R); },
                    kWhite);
    } else if (c.clothing == Clothing::Shirt) {
        cv.fill(cx - 0.4f * R, cy + 1.2f * R, cx + 0.4f * R, cy + 1.7f * R,
                [=](float x, float y) { return sd_box(x, y, cx, cy + 1.38f * R, 0.32f * R, 0.12f * R, 0.08f * R); }, mix(cloth, kWhite, 0.6f));
    }

    // Face with soft shading toward the jaw.
    cv.fill(cx - R, cy - R, cx + R, cy + 1.1f * R, [=](float x, float y) { return sd_ellipse(x, y, cx, cy, 0.9f * R, 1.0f * R); },
            [=](float x, float y) { return scale(kSkin, 1.0f - 0.06f * std::clamp((y - cy) / R, 0.f, 1.f) - 0.03f * std::abs(x - cx) / R); });
    // Blush.
    for (float side : {-1.f, 1.f})
        cv.fill(cx - R, cy, cx + R, cy + 0.7f * R,
                [=](float x, float y) { return sd_ellipse(x, y, cx + side * 0.5f * R, cy + 0.4f * R, 0.16f * R, 0.08f * R); },
                Rgb{1.0f, 0.6f, 0.65f}, 0.45f);

    // Eyes: white, iris with a vertical gradient, pupil, highlight, lash line.
    const Rgb iris = rgb(eye_colors()[c.eye_color]);
    for (float ex : {L.left_eye_x, L.right_eye_x}) {
        const float ey = L.eye_y;
        cv.fill(ex - 0.3f * R, ey - 0.3f * R, ex + 0.3f * R, ey + 0.3f * R,
                [=](float x, float y) { return sd_ellipse(x, y, ex, ey, 0.2f * R, 0.25f * R); }, kWhite);
        cv.fill(ex - 0.2f * R, ey - 0.25f * R, ex + 0.2f * R, ey + 0.25f * R,
                [=](float x, float y) { return sd_ellipse(x, y, ex, ey + 0.02f * R, 0.155f * R, 0.21f * R); },
                [=](float, float y) { return scale(iris, 0.7f + 0.45f * std::clamp((y - ey + 0.2f * R) / (0.4f * R), 0.f, 1.f)); });
        cv.fill(ex - 0.1f * R, ey - 0.12f * R, ex + 0.1f * R, ey + 0.12f * R,
                [=](float x, float y) { return sd_ellipse(x, y, ex, ey - 0.01f * R, 0.065f * R, 0.1f * R); }, scale(iris, 0.3f));
        cv.fill(ex - 0.12f * R, ey - 0.16f * R, ex, ey,
                [=](float x, float y) { return sd_ellipse(x, y, ex - 0.06f * R, ey - 0.09f * R, 0.045f * R, 0.045f * R); }, kWhite);
        cv.fill(ex - 0.3f * R, ey - 0.35f * R, ex + 0.3f * R, ey - 0.15f * R,
                [=](float x, float y) { return sd_segment(x, y, ex - 0.22f * R, ey - 0.22f * R, ex + 0.22f * R, ey - 0.26f * R, 0.035f * R); }, kInk);
        if (c.glasses)
            cv.fill(ex - 0.35f * R, ey - 0.35f * R, ex + 0.35f * R, ey + 0.35f * R,
                    [=](float x, float y) { return std::abs(sd_ellipse(x, y, ex, ey, 0.28f * R, 0.25f * R)) - 0.025f * R; }, kInk);
    }

    // Mouth.
    const float mx = L.mouth_x, my = L.mouth_y;
    const Rgb mouth{0.55f, 0.12f, 0.16f};
    if (c.expression == Expression::Smile)
        cv.fill(mx - 0.3f * R, my - 0.2f * R, mx + 0.3f * R, my + 0.25f * R,
                [=](float x, float y) { return std::max(std::abs(std::hypot(x - mx, y - my + 0.12f * R) - 0.2f * R) - 0.025f * R, my - 0.02f * R - y); },
                kInk);
    else if (c.expression == Expression::OpenMouth) {
        cv.fill(mx - 0.2f * R, my - 0.15f * R, mx + 0.2f * R, my + 0.2f * R,
                [=](float x, float y) { return sd_ellipse(x, y, mx, my, 0.13f * R, 0.11f * R); }, mouth);
        cv.fill(mx - 0.1f * R, my, mx + 0.1f * R, my + 0.12f * R,
                [=](float x, float y) { return sd_ellipse(x, y, mx, my + 0.06f * R, 0.08f * R, 0.04f * R); }, Rgb{0.95f, 0.5f, 0.55f});
    } else
        cv.fill(mx - 0.2f * R, my - 0.05f * R, mx + 0.2f * R, my + 0.05f * R,
                [=](float x, float y) { return sd_segment(x, y, mx - 0.1f * R, my, mx + 0.1f * R, my, 0.02f * R); }, kInk);

    // Hair on top: cap and bangs, then thin darker strands.
    cv.fill(cx - 1.05f * R, cy - 1.2f * R, cx + 1.05f * R, cy,
            [=](float x, float y) { return std::max(sd_ellipse(x, y, cx, cy - 0.3f * R, 1.0f * R, 0.82f * R), y - (cy - 0.28f * R)); }, hair_shade);
    for (float bx : {-0.55f, -0.18f, 0.18f, 0.55f})
        cv.fill(cx + (bx - 0.3f) * R, cy - 0.6f * R, cx + (bx + 0.3f) * R, cy,
                [=](float x, float y) { return sd_ellipse(x, y, cx + bx * R, cy - 0.3f * R, 0.22f * R, 0.3f * R); }, hair_shade);
    if (c.hair_style == HairStyle::Short || c.hair_style == HairStyle::Ponytail)
        for (float side : {-1.f, 1.f})
            cv.fill(cx - 1.1f * R, cy - 0.5f * R, cx + 1.1f * R, cy + 0.6f * R,
                    [=](float x, float y) { return sd_ellipse(x, y, cx + side * 0.88f * R, cy + 0.05f * R, 0.18f * R, 0.5f * R); }, hair_shade);
    for (float sx : {-0.7f, -0.35f, 0.0f, 0.35f, 0.7f})
        cv.fill(cx - R, cy - 1.2f * R, cx + R, cy,
                [=](float x, float y) { return sd_segment(x, y, cx + sx * 0.4f * R, cy - 1.0f * R, cx + sx * R, cy - 0.15f * R, 0.012f * R); },
                scale(hair, 0.6f), 0.8f);
    // Highlight band on the hair.
    cv.fill(cx - R, cy - 0.9f * R, cx + R, cy - 0.5f * R,
            [=](float x, float y) { return std::max(std::abs(sd_ellipse(x, y, cx, cy - 0.3f * R, 0.75f * R, 0.55f * R)) - 0.03f * R, y - (cy - 0.55f * R)); },
            mix(hair, kWhite, 0.55f), 0.7f);

    // Accessories.
    if (c.bow)
        for (float side : {-1.f, 1.f})
            cv.fill(cx + 0.35f * R, cy - 1.15f * R, cx + 1.15f * R, cy - 0.45f * R,
                    [=](float x, float y) { return sd_ellipse(x, y, cx + 0.75f * R + side * 0.18f * R, cy - 0.8f * R, 0.18f * R, 0.12f * R); },
                    Rgb{0.9f, 0.12f, 0.2f});
    if (c.hat) {
        const Rgb hat = scale(cloth, 0.8f);
        cv.fill(cx - 1.3f * R, cy - 1.0f * R, cx + 1.3f * R, cy - 0.6f * R,
                [=](float x, float y) { return sd_ellipse(x, y, cx, cy - 0.8f * R, 1.2f * R, 0.16f * R); }, hat);
        cv.fill(cx - 0.8f * R, cy - 1.6f * R, cx + 0.8f * R, cy - 0.75f * R,
                [=](float x, float y) { return sd_box(x, y, cx, cy - 1.15f * R, 0.7f * R, 0.38f * R, 0.25f * R); }, hat);
    }
}
}  // namespace

CharacterLayout layout_for(const Scene& scene, size_t character, int size) {
    const float n = static_cast<float>(size);
    CharacterLayout L;
    if (scene.characters.size() == 1) {
        L.cx = 0.5f * n, L.cy = 0.42f * n, L.r = 0.2f * n;
    } else {
        L.cx = (character == 0 ? 0.28f : 0.72f) * n, L.cy = 0.45f * n, L.r = 0.14f * n;
    }
    L.left_eye_x = L.cx - 0.37f * L.r;
    L.right_eye_x = L.cx + 0.37f * L.r;
    L.eye_y = L.cy + 0.12f * L.r;
    L.mouth_x = L.cx;
    L.mouth_y = L.cy + 0.58f * L.r;
    return L;
}

ImageF render_scene(const Scene& scene, int size) {
    Canvas cv(size);
    draw_background(cv, scene);
    for (size_t i = 0; i < scene.characters.size(); ++i) draw_character(cv, scene, i);
    return cv.image();
}

}  // namespace studio::demo
