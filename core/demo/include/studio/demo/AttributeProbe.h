#pragma once
// Reads the attributes of a demo image back, at the places where the Scene that was prompted
// puts them (layout_for), so generated images can be scored against their prompts:
//   hair        median colour of the hair cap just above the bangs' lower edge
//   eyes        median colour of the lower iris (below the pupil, above the lash shadow)
//   background  darker half of the top band (the pattern's base colour, below any character)
//   expression  the scene is rendered once per expression and the nearest mouth crop wins
// Colours are matched to the palettes in CIELAB, after the renderer's own shading at the sampled
// place. Torch-free.
#include <array>
#include <string>
#include <vector>

#include "studio/Image.h"
#include "studio/demo/CharacterAttributes.h"

namespace studio::demo {

using Color3 = std::array<float, 3>;

// sRGB in [0,1] (D65) -> CIELAB.
Color3 srgb_to_lab(const Color3& rgb);
// CIE76 distance of two sRGB colours, in Lab units.
float color_distance(const Color3& rgb_a, const Color3& rgb_b);

// Index of the palette colour, each scaled by `shade` (clipped at 1, as the renderer does),
// nearest to `rgb` in CIELAB; its distance goes to `distance` when given.
int nearest_color(const Color3& rgb, const std::vector<NamedColor>& palette, float shade = 1.0f,
                  float* distance = nullptr);

struct CharacterReading {
    int hair_color{-1};
    int eye_color{-1};
    Expression expression{Expression::Smile};
    Color3 hair_rgb{}, eye_rgb{};
    float hair_distance{0}, eye_distance{0};  // Lab distance to the chosen palette colour
    float expression_distance{0};             // RMS difference to the chosen reference mouth
};

struct SceneReading {
    std::vector<CharacterReading> characters;  // in scene.characters order
    int background_color{-1};
    Color3 background_rgb{};
    float background_distance{0};
};

// Throws StudioError when the image is not a square RGB(A) image of at least 64 pixels.
SceneReading read_scene(const ImageF& image, const Scene& scene);

// What a reading says about the prompt: every character's hair / eyes / expression must match
// for the scene-level flags; `separation` (two-character scenes only) = both hair colours read
// correctly at their own characters' positions.
struct AttributeCheck {
    int characters{0};
    int hair_correct{0}, eyes_correct{0}, expression_correct{0};  // per character
    bool background{false};
    bool two_characters{false};
    bool separation{false};
};
AttributeCheck check_attributes(const SceneReading& reading, const Scene& scene);
AttributeCheck check_attributes(const ImageF& image, const Scene& scene);

enum class Attribute { Hair, Eyes, Expression, Background, Separation };
constexpr std::array<Attribute, 5> kAllAttributes{Attribute::Hair, Attribute::Eyes, Attribute::Expression,
                                                  Attribute::Background, Attribute::Separation};
std::string to_string(Attribute a);  // "hair", "eyes", "expression", "background", "separation"

// Accuracy over many images. Hair, eyes and expression count per character, background per
// image, separation per two-character image.
struct AttributeTally {
    int images{0};
    std::array<int, 5> correct{};
    std::array<int, 5> total{};

    void add(const AttributeCheck& check);
    int correct_of(Attribute a) const { return correct[static_cast<size_t>(a)]; }
    int total_of(Attribute a) const { return total[static_cast<size_t>(a)]; }
    // Fraction in [0,1]; negative when no sample had the attribute.
    double accuracy(Attribute a) const;
};

}  // namespace studio::demo
