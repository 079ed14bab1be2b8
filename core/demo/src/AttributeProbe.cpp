#include "studio/demo/AttributeProbe.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "studio/Errors.h"
#include "studio/demo/CharacterRenderer.h"

namespace studio::demo {

namespace {

float finite01(float v) { return std::isfinite(v) ? std::clamp(v, 0.0f, 1.0f) : 0.0f; }

float srgb_to_linear(float c) {
    c = finite01(c);
    return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

float lab_f(float t) {
    constexpr float d = 6.0f / 29.0f;
    return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0f / 29.0f;
}

// An axis-aligned sampling window in continuous pixel coordinates; a pixel belongs to it when
// its centre does.
struct Window {
    float x0, y0, x1, y1;
};

std::vector<Color3> pixels_in(const ImageF& img, const Window& w) {
    std::vector<Color3> out;
    const int xa = std::max(0, static_cast<int>(std::ceil(w.x0 - 0.5f)));
    const int ya = std::max(0, static_cast<int>(std::ceil(w.y0 - 0.5f)));
    const int xb = std::min(img.width - 1, static_cast<int>(std::floor(w.x1 - 0.5f)));
    const int yb = std::min(img.height - 1, static_cast<int>(std::floor(w.y1 - 0.5f)));
    for (int y = ya; y <= yb; ++y)
        for (int x = xa; x <= xb; ++x) out.push_back({img.at(x, y, 0), img.at(x, y, 1), img.at(x, y, 2)});
    if (out.empty()) {  // a window thinner than a pixel: its centre pixel
        const int x = std::clamp(static_cast<int>((w.x0 + w.x1) / 2), 0, img.width - 1);
        const int y = std::clamp(static_cast<int>((w.y0 + w.y1) / 2), 0, img.height - 1);
        out.push_back({img.at(x, y, 0), img.at(x, y, 1), img.at(x, y, 2)});
    }
    return out;
}

// Per-channel median: robust to the thin strands, highlights and anti-aliased edges inside a window.
Color3 median_color(std::vector<Color3> px) {
    Color3 m{};
    std::vector<float> ch(px.size());
    for (int c = 0; c < 3; ++c) {
        for (size_t i = 0; i < px.size(); ++i) ch[i] = finite01(px[i][c]);
        auto mid = ch.begin() + static_cast<std::ptrdiff_t>(ch.size() / 2);
        std::nth_element(ch.begin(), mid, ch.end());
        m[c] = *mid;
    }
    return m;
}

// The renderer's hair gradient: lighter at the crown, darker toward the tips.
float hair_shade(float y, const CharacterLayout& L) {
    return 1.15f - 0.35f * std::clamp((y - (L.cy - L.r)) / (3 * L.r), 0.0f, 1.0f);
}
// The renderer's iris gradient: darker at the top, lighter at the bottom.
float iris_shade(float y, const CharacterLayout& L) {
    return 0.7f + 0.45f * std::clamp((y - L.eye_y + 0.2f * L.r) / (0.4f * L.r), 0.0f, 1.0f);
}

// Hair cap and bangs between the hat brim / bow (above) and the bangs' lower edge (below).
constexpr float kHairTop = -0.58f, kHairBottom = -0.36f, kHairHalfWidth = 0.6f;
// Lower iris: below the pupil (which ends 0.09 r under the eye centre), inside the iris ellipse.
constexpr float kIrisTop = 0.12f, kIrisBottom = 0.18f, kIrisHalfWidth = 0.08f;
// Mouth crop: every expression's shape fits inside.
constexpr float kMouthHalfWidth = 0.3f, kMouthTop = -0.2f, kMouthBottom = 0.25f;
// Background band: above every character's hair and hat in both layouts.
constexpr float kBackgroundBand = 0.1f;

Window mouth_window(const CharacterLayout& L) {
    return {L.mouth_x - kMouthHalfWidth * L.r, L.mouth_y + kMouthTop * L.r, L.mouth_x + kMouthHalfWidth * L.r,
            L.mouth_y + kMouthBottom * L.r};
}

float rms_difference(const std::vector<Color3>& a, const std::vector<Color3>& b) {
    double sum = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        for (int c = 0; c < 3; ++c) {
            const double d = finite01(a[i][c]) - finite01(b[i][c]);
            sum += d * d;
        }
    return static_cast<float>(std::sqrt(sum / std::max<size_t>(1, 3 * std::min(a.size(), b.size()))));
}

void check_image(const ImageF& image, const Scene& scene) {
    if (image.channels < 3 || image.width != image.height || image.width < 64 ||
        image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels)
        throw StudioError("attribute probe: needs a square RGB image of at least 64x64 pixels, got " +
                          std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                          std::to_string(image.channels));
    if (scene.characters.empty() || scene.characters.size() > 2)
        throw StudioError("attribute probe: the scene must have one or two characters");
}

Color3 background_color_of(const ImageF& image) {
    auto px = pixels_in(image, {0, 0, static_cast<float>(image.width), kBackgroundBand * image.height});
    // The patterns only lighten the base colour: the darker half of the band is the base.
    std::vector<std::pair<float, size_t>> lum(px.size());
    for (size_t i = 0; i < px.size(); ++i) lum[i] = {srgb_to_lab(px[i])[0], i};
    std::sort(lum.begin(), lum.end());
    const size_t a = lum.size() / 10, b = std::max(a + 1, lum.size() * 45 / 100);
    Color3 mean{};
    for (size_t k = a; k < b; ++k)
        for (int c = 0; c < 3; ++c) mean[c] += finite01(px[lum[k].second][c]) / static_cast<float>(b - a);
    return mean;
}

}  // namespace

Color3 srgb_to_lab(const Color3& rgb) {
    const float r = srgb_to_linear(rgb[0]), g = srgb_to_linear(rgb[1]), b = srgb_to_linear(rgb[2]);
    const float x = (0.4124564f * r + 0.3575761f * g + 0.1804375f * b) / 0.95047f;
    const float y = 0.2126729f * r + 0.7151522f * g + 0.0721750f * b;
    const float z = (0.0193339f * r + 0.1191920f * g + 0.9503041f * b) / 1.08883f;
    const float fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
    return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

float color_distance(const Color3& a, const Color3& b) {
    const auto la = srgb_to_lab(a), lb = srgb_to_lab(b);
    return std::sqrt((la[0] - lb[0]) * (la[0] - lb[0]) + (la[1] - lb[1]) * (la[1] - lb[1]) +
                     (la[2] - lb[2]) * (la[2] - lb[2]));
}

int nearest_color(const Color3& rgb, const std::vector<NamedColor>& palette, float shade, float* distance) {
    int best = -1;
    float best_d = std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < palette.size(); ++i) {
        const auto& p = palette[i];
        const Color3 ref{std::min(1.f, p.r * shade), std::min(1.f, p.g * shade), std::min(1.f, p.b * shade)};
        const float d = color_distance(rgb, ref);
        if (d < best_d) best_d = d, best = static_cast<int>(i);
    }
    if (distance) *distance = best_d;
    return best;
}

SceneReading read_scene(const ImageF& image, const Scene& scene) {
    check_image(image, scene);
    const int n = image.width;
    SceneReading out;
    out.background_rgb = background_color_of(image);
    out.background_color = nearest_color(out.background_rgb, background_colors(), 1.0f, &out.background_distance);

    // One reference render per expression, every character wearing it: crops for all characters.
    std::vector<ImageF> references;
    for (Expression e : {Expression::Smile, Expression::OpenMouth, Expression::ClosedMouth}) {
        Scene variant = scene;
        for (auto& c : variant.characters) c.expression = e;
        references.push_back(render_scene(variant, n));
    }

    for (size_t i = 0; i < scene.characters.size(); ++i) {
        const CharacterLayout L = layout_for(scene, i, n);
        CharacterReading r;
        const Window hair{L.cx - kHairHalfWidth * L.r, L.cy + kHairTop * L.r, L.cx + kHairHalfWidth * L.r,
                          L.cy + kHairBottom * L.r};
        r.hair_rgb = median_color(pixels_in(image, hair));
        r.hair_color = nearest_color(r.hair_rgb, hair_colors(), hair_shade((hair.y0 + hair.y1) / 2, L), &r.hair_distance);

        std::vector<Color3> iris;
        for (float ex : {L.left_eye_x, L.right_eye_x}) {
            const auto px = pixels_in(image, {ex - kIrisHalfWidth * L.r, L.eye_y + kIrisTop * L.r,
                                              ex + kIrisHalfWidth * L.r, L.eye_y + kIrisBottom * L.r});
            iris.insert(iris.end(), px.begin(), px.end());
        }
        r.eye_rgb = median_color(iris);
        const float iris_y = L.eye_y + 0.5f * (kIrisTop + kIrisBottom) * L.r;
        r.eye_color = nearest_color(r.eye_rgb, eye_colors(), iris_shade(iris_y, L), &r.eye_distance);

        const auto crop = pixels_in(image, mouth_window(L));
        r.expression_distance = std::numeric_limits<float>::infinity();
        for (size_t e = 0; e < references.size(); ++e) {
            const float d = rms_difference(crop, pixels_in(references[e], mouth_window(L)));
            if (d < r.expression_distance) r.expression_distance = d, r.expression = static_cast<Expression>(e);
        }
        out.characters.push_back(r);
    }
    return out;
}

AttributeCheck check_attributes(const SceneReading& reading, const Scene& scene) {
    AttributeCheck c;
    c.characters = static_cast<int>(std::min(reading.characters.size(), scene.characters.size()));
    bool all_hair = c.characters == static_cast<int>(scene.characters.size());
    for (int i = 0; i < c.characters; ++i) {
        const auto& want = scene.characters[static_cast<size_t>(i)];
        const auto& got = reading.characters[static_cast<size_t>(i)];
        const bool hair = got.hair_color == want.hair_color;
        c.hair_correct += hair;
        all_hair = all_hair && hair;
        c.eyes_correct += got.eye_color == want.eye_color;
        c.expression_correct += got.expression == want.expression;
    }
    c.background = reading.background_color == scene.background_color;
    c.two_characters = scene.characters.size() == 2;
    c.separation = c.two_characters && all_hair;
    return c;
}

AttributeCheck check_attributes(const ImageF& image, const Scene& scene) {
    return check_attributes(read_scene(image, scene), scene);
}

std::string to_string(Attribute a) {
    switch (a) {
        case Attribute::Hair: return "hair";
        case Attribute::Eyes: return "eyes";
        case Attribute::Expression: return "expression";
        case Attribute::Background: return "background";
        case Attribute::Separation: return "separation";
    }
    return "?";
}

void AttributeTally::add(const AttributeCheck& c) {
    ++images;
    auto count = [&](Attribute a, int ok, int n) {
        correct[static_cast<size_t>(a)] += ok;
        total[static_cast<size_t>(a)] += n;
    };
    count(Attribute::Hair, c.hair_correct, c.characters);
    count(Attribute::Eyes, c.eyes_correct, c.characters);
    count(Attribute::Expression, c.expression_correct, c.characters);
    count(Attribute::Background, c.background ? 1 : 0, 1);
    if (c.two_characters) count(Attribute::Separation, c.separation ? 1 : 0, 1);
}

double AttributeTally::accuracy(Attribute a) const {
    const int n = total_of(a);
    return n > 0 ? static_cast<double>(correct_of(a)) / n : -1.0;
}

}  // namespace studio::demo
