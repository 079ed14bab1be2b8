#include "studio/demo/CharacterAttributes.h"

#include <algorithm>
#include <random>

namespace studio::demo {

const std::vector<NamedColor>& hair_colors() {
    static const std::vector<NamedColor> c{
        {"black", 0.10f, 0.09f, 0.12f}, {"brown", 0.45f, 0.28f, 0.15f},  {"blonde", 0.96f, 0.84f, 0.42f},
        {"red", 0.80f, 0.12f, 0.14f},   {"orange", 0.96f, 0.52f, 0.14f}, {"pink", 0.97f, 0.58f, 0.74f},
        {"purple", 0.52f, 0.30f, 0.75f}, {"blue", 0.20f, 0.38f, 0.88f},  {"green", 0.24f, 0.66f, 0.32f},
        {"silver", 0.80f, 0.82f, 0.88f}};
    return c;
}

const std::vector<NamedColor>& eye_colors() {
    static const std::vector<NamedColor> c{{"blue", 0.15f, 0.40f, 0.95f},  {"red", 0.88f, 0.10f, 0.12f},
                                           {"green", 0.15f, 0.70f, 0.25f}, {"purple", 0.58f, 0.25f, 0.85f},
                                           {"yellow", 0.95f, 0.80f, 0.10f}, {"brown", 0.50f, 0.30f, 0.12f},
                                           {"pink", 0.98f, 0.45f, 0.70f},  {"aqua", 0.10f, 0.85f, 0.85f}};
    return c;
}

const std::vector<NamedColor>& clothing_colors() {
    static const std::vector<NamedColor> c{{"white", 0.95f, 0.95f, 0.95f}, {"black", 0.12f, 0.12f, 0.14f},
                                           {"red", 0.78f, 0.15f, 0.18f},   {"blue", 0.18f, 0.30f, 0.72f},
                                           {"green", 0.20f, 0.55f, 0.28f}, {"yellow", 0.94f, 0.82f, 0.22f},
                                           {"pink", 0.95f, 0.60f, 0.75f},  {"grey", 0.55f, 0.55f, 0.58f}};
    return c;
}

const std::vector<NamedColor>& background_colors() {
    static const std::vector<NamedColor> c{{"white", 0.97f, 0.97f, 0.97f}, {"black", 0.06f, 0.06f, 0.08f},
                                           {"blue", 0.45f, 0.65f, 0.95f},  {"pink", 0.98f, 0.78f, 0.85f},
                                           {"yellow", 0.98f, 0.92f, 0.55f}, {"green", 0.60f, 0.85f, 0.60f},
                                           {"grey", 0.62f, 0.62f, 0.64f},  {"orange", 0.98f, 0.70f, 0.40f}};
    return c;
}

const std::vector<std::string>& hair_style_tags() {
    static const std::vector<std::string> t{"short_hair", "long_hair", "twintails", "ponytail"};
    return t;
}
const std::vector<std::string>& expression_tags() {
    static const std::vector<std::string> t{"smile", "open_mouth", "closed_mouth"};
    return t;
}
const std::vector<std::string>& clothing_tags() {
    static const std::vector<std::string> t{"shirt", "dress", "sailor_uniform", "hoodie"};
    return t;
}
const std::vector<std::string>& pattern_tags() {
    static const std::vector<std::string> t{"", "gradient_background", "striped_background", "polka_dot_background"};
    return t;
}

namespace {
template <typename R>
int uniform(R& rng, int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
}

Character random_character(std::mt19937_64& rng) {
    Character c;
    c.gender = uniform(rng, 4) == 0 ? Gender::Boy : Gender::Girl;
    c.hair_color = uniform(rng, static_cast<int>(hair_colors().size()));
    c.hair_style = c.gender == Gender::Boy ? HairStyle::Short : static_cast<HairStyle>(uniform(rng, 4));
    c.eye_color = uniform(rng, static_cast<int>(eye_colors().size()));
    c.expression = static_cast<Expression>(uniform(rng, 3));
    c.clothing = static_cast<Clothing>(uniform(rng, 4));
    if (c.gender == Gender::Boy && c.clothing == Clothing::Dress) c.clothing = Clothing::Shirt;
    c.clothing_color = uniform(rng, static_cast<int>(clothing_colors().size()));
    c.bow = c.gender == Gender::Girl && uniform(rng, 5) == 0;
    c.hat = uniform(rng, 7) == 0;
    c.glasses = uniform(rng, 6) == 0;
    return c;
}
}  // namespace

Scene random_scene(uint64_t seed, double two_character_fraction) {
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 17);
    Scene s;
    s.seed = seed;
    s.background_color = uniform(rng, static_cast<int>(background_colors().size()));
    s.pattern = static_cast<BackgroundPattern>(uniform(rng, 5) < 2 ? 0 : uniform(rng, 4));
    const bool two = std::uniform_real_distribution<double>(0, 1)(rng) < two_character_fraction;
    s.characters.push_back(random_character(rng));
    if (two) {
        s.characters.push_back(random_character(rng));
        s.characters[0].position = Position::Left;
        s.characters[1].position = Position::Right;
        // Two different hair colours so the prompt's binding is observable.
        if (s.characters[1].hair_color == s.characters[0].hair_color)
            s.characters[1].hair_color = (s.characters[0].hair_color + 1 + uniform(rng, 9)) % static_cast<int>(hair_colors().size());
    }
    return s;
}

namespace {
std::string join(std::vector<std::string> tags, std::mt19937_64& rng, bool shuffle) {
    if (shuffle) std::shuffle(tags.begin(), tags.end(), rng);
    std::string out;
    for (const auto& t : tags) out += (out.empty() ? "" : ", ") + t;
    return out;
}
}  // namespace

std::string scene_prompt(const Scene& scene, const PromptOptions& o) {
    std::mt19937_64 rng(scene.seed ^ 0xA5A5A5A5ull);
    auto keep = [&] { return std::uniform_real_distribution<double>(0, 1)(rng) >= o.omit_probability; };
    std::string xml;
    int girls = 0, boys = 0;
    for (size_t i = 0; i < scene.characters.size(); ++i) {
        const auto& c = scene.characters[i];
        (c.gender == Gender::Girl ? girls : boys)++;
        const std::string tag = "character_" + std::to_string(i + 1);
        std::vector<std::string> appearance{std::string(hair_colors()[c.hair_color].tag) + "_hair",
                                            hair_style_tags()[static_cast<int>(c.hair_style)],
                                            std::string(eye_colors()[c.eye_color].tag) + "_eyes"};
        std::vector<std::string> clothing{std::string(clothing_colors()[c.clothing_color].tag) + "_" +
                                          clothing_tags()[static_cast<int>(c.clothing)]};
        if (c.bow) clothing.push_back("hair_bow");
        if (c.hat) clothing.push_back("hat");
        if (c.glasses) appearance.push_back("glasses");
        xml += "<" + tag + ">";
        xml += "<n>$" + tag + "$</n>";
        xml += std::string("<gender>") + (c.gender == Gender::Girl ? "1girl" : "1boy") + "</gender>";
        xml += "<appearance>" + join(appearance, rng, o.shuffle) + "</appearance>";
        if (keep()) xml += "<clothing>" + join(clothing, rng, o.shuffle) + "</clothing>";
        if (keep()) xml += "<expression>" + expression_tags()[static_cast<int>(c.expression)] + "</expression>";
        if (scene.characters.size() > 1)
            xml += std::string("<position>") + (c.position == Position::Left ? "left" : "right") + "</position>";
        xml += "</" + tag + ">";
    }
    std::vector<std::string> count;
    if (girls) count.push_back(girls == 1 ? "1girl" : "2girls");
    if (boys) count.push_back(boys == 1 ? "1boy" : "2boys");
    count.push_back(scene.characters.size() == 1 ? "solo" : "multiple_characters");
    std::vector<std::string> background{std::string(background_colors()[scene.background_color].tag) + "_background"};
    if (scene.pattern != BackgroundPattern::Plain) background.push_back(pattern_tags()[static_cast<int>(scene.pattern)]);
    xml += "<general_tags><count>" + join(count, rng, false) + "</count>";
    xml += "<style>anime_coloring, portrait</style>";
    xml += "<background>" + join(background, rng, o.shuffle) + "</background>";
    xml += "</general_tags>";
    return xml;
}

std::string scene_labels(const Scene& scene) {
    std::string out = std::string("background=") + background_colors()[scene.background_color].tag +
                      " pattern=" + std::to_string(static_cast<int>(scene.pattern));
    for (size_t i = 0; i < scene.characters.size(); ++i) {
        const auto& c = scene.characters[i];
        const std::string p = " c" + std::to_string(i + 1) + ".";
        out += p + "hair=" + hair_colors()[c.hair_color].tag + p + "style=" + hair_style_tags()[static_cast<int>(c.hair_style)] +
               p + "eyes=" + eye_colors()[c.eye_color].tag + p + "expression=" + expression_tags()[static_cast<int>(c.expression)];
    }
    return out;
}

}  // namespace studio::demo
