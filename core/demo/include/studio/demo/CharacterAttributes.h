#pragma once
// The attribute space of the procedural anime portraits the demo model is trained on, and the
// NewBie XML prompts that describe them. Deterministic from a seed.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace studio::demo {

struct NamedColor {
    const char* tag;     // Danbooru-style tag stem: "blue" -> blue_hair / blue_eyes
    float r, g, b;       // linear-ish sRGB in [0,1]
};

const std::vector<NamedColor>& hair_colors();        // 10
const std::vector<NamedColor>& eye_colors();         // 8
const std::vector<NamedColor>& clothing_colors();    // 8
const std::vector<NamedColor>& background_colors();  // 8

enum class HairStyle { Short, Long, Twintails, Ponytail };
enum class Expression { Smile, OpenMouth, ClosedMouth };
enum class Clothing { Shirt, Dress, SailorUniform, Hoodie };
enum class BackgroundPattern { Plain, Gradient, Stripes, Dots };
enum class Gender { Girl, Boy };
enum class Position { Center, Left, Right };

const std::vector<std::string>& hair_style_tags();   // short_hair, long_hair, twintails, ponytail
const std::vector<std::string>& expression_tags();   // smile, open_mouth, closed_mouth
const std::vector<std::string>& clothing_tags();     // shirt, dress, sailor_uniform, hoodie
const std::vector<std::string>& pattern_tags();      // "", gradient_background, striped_background, polka_dot_background

struct Character {
    int hair_color{0};
    HairStyle hair_style{HairStyle::Long};
    int eye_color{0};
    Expression expression{Expression::Smile};
    Clothing clothing{Clothing::Shirt};
    int clothing_color{0};
    Gender gender{Gender::Girl};
    bool bow{false}, hat{false}, glasses{false};
    Position position{Position::Center};
};

struct Scene {
    std::vector<Character> characters;  // 1 or 2
    int background_color{0};
    BackgroundPattern pattern{BackgroundPattern::Plain};
    uint64_t seed{0};                   // drives shading details and prompt shuffling
};

// A random scene; `two_character_fraction` of scenes have two characters (left and right).
Scene random_scene(uint64_t seed, double two_character_fraction = 0.2);

struct PromptOptions {
    bool shuffle{true};          // shuffle tag order inside fields
    double omit_probability{0};  // chance to drop optional fields (clothing, expression, accessories)
};
// The NewBie XML prompt for the scene (tags and structure as in real prompts).
std::string scene_prompt(const Scene& scene, const PromptOptions& options = {});

// Label record: "hair=blue eyes=red expression=smile background=white ..." (for datasets, logs).
std::string scene_labels(const Scene& scene);

}  // namespace studio::demo
