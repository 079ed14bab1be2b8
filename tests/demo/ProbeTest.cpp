// The attribute probe on the renderer's own images: ~100 % on clean renders, and it must notice
// when the image does not show what the scene says.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "studio/Errors.h"
#include "studio/demo/AttributeProbe.h"
#include "studio/demo/CharacterRenderer.h"

using namespace studio;
using namespace studio::demo;

namespace {

AttributeTally score_clean_renders(int scenes, int size, uint64_t first_seed) {
    AttributeTally tally;
    for (int i = 0; i < scenes; ++i) {
        const Scene scene = random_scene(first_seed + static_cast<uint64_t>(i), 0.3);
        tally.add(check_attributes(render_scene(scene, size), scene));
    }
    return tally;
}

void print_tally(const char* label, const AttributeTally& t) {
    std::printf("%s:", label);
    for (auto a : kAllAttributes) std::printf(" %s %d/%d", to_string(a).c_str(), t.correct_of(a), t.total_of(a));
    std::printf("\n");
}

Scene two_character_scene() {
    for (uint64_t seed = 0;; ++seed) {
        Scene s = random_scene(seed, 1.0);
        if (s.characters.size() == 2) return s;
    }
}

}  // namespace

TEST(AttributeProbe, LabOfReferenceColours) {
    const auto white = srgb_to_lab({1, 1, 1}), black = srgb_to_lab({0, 0, 0}), red = srgb_to_lab({1, 0, 0});
    EXPECT_NEAR(white[0], 100.0, 0.05);
    EXPECT_NEAR(white[1], 0.0, 0.05);
    EXPECT_NEAR(white[2], 0.0, 0.05);
    EXPECT_NEAR(black[0], 0.0, 1e-4);
    // sRGB red is L 53.24, a 80.09, b 67.20 (D65).
    EXPECT_NEAR(red[0], 53.24, 0.05);
    EXPECT_NEAR(red[1], 80.09, 0.1);
    EXPECT_NEAR(red[2], 67.20, 0.1);
    // Out-of-range and NaN values are clamped, never propagated.
    const auto odd = srgb_to_lab({std::nanf(""), 2.0f, -1.0f});
    for (float v : odd) EXPECT_TRUE(std::isfinite(v));
}

TEST(AttributeProbe, PaletteColoursMapToThemselves) {
    for (const auto* palette : {&hair_colors(), &eye_colors(), &background_colors()})
        for (size_t i = 0; i < palette->size(); ++i) {
            const auto& c = (*palette)[i];
            float d = -1;
            EXPECT_EQ(nearest_color({c.r, c.g, c.b}, *palette, 1.0f, &d), static_cast<int>(i)) << c.tag;
            EXPECT_LT(d, 1e-3f);
        }
}

// 200 random scenes (30 % with two characters) at the shipped 256x256 size.
TEST(AttributeProbe, CleanRendersScoreFull) {
    const auto t = score_clean_renders(200, 256, 1000);
    print_tally("clean 256x256, 200 scenes", t);
    EXPECT_EQ(t.images, 200);
    EXPECT_GT(t.total_of(Attribute::Separation), 30);
    for (auto a : kAllAttributes) EXPECT_GE(t.accuracy(a), 0.99) << to_string(a);
    EXPECT_EQ(t.correct_of(Attribute::Hair), t.total_of(Attribute::Hair));
    EXPECT_EQ(t.correct_of(Attribute::Background), t.total_of(Attribute::Background));
}

TEST(AttributeProbe, CleanRendersAtOtherSizes) {
    for (int size : {128, 64}) {
        const auto t = score_clean_renders(40, size, 7000);
        print_tally(size == 128 ? "clean 128x128, 40 scenes" : "clean 64x64, 40 scenes", t);
        for (auto a : kAllAttributes) EXPECT_GE(t.accuracy(a), 0.95) << to_string(a) << " at " << size;
    }
}

TEST(AttributeProbe, ReadingsAreCloseToThePalette) {
    const Scene scene = random_scene(42, 0.0);
    const auto r = read_scene(render_scene(scene, 256), scene);
    ASSERT_EQ(r.characters.size(), 1u);
    EXPECT_LT(r.characters[0].hair_distance, 3.0f);
    EXPECT_LT(r.characters[0].eye_distance, 5.0f);
    EXPECT_LT(r.background_distance, 3.0f);
    EXPECT_LT(r.characters[0].expression_distance, 1e-6f);  // the reference render is the image itself
}

// The image shows scene A; the probe is told it should show B. Each changed attribute must fail.
TEST(AttributeProbe, WrongSceneFails) {
    const Scene scene = random_scene(5, 0.0);
    const ImageF image = render_scene(scene, 256);
    const auto right = check_attributes(image, scene);
    ASSERT_EQ(right.hair_correct, 1);
    ASSERT_EQ(right.eyes_correct, 1);
    ASSERT_EQ(right.expression_correct, 1);
    ASSERT_TRUE(right.background);

    Scene wrong = scene;
    wrong.characters[0].hair_color = (scene.characters[0].hair_color + 3) % static_cast<int>(hair_colors().size());
    EXPECT_EQ(check_attributes(image, wrong).hair_correct, 0);
    wrong = scene;
    wrong.characters[0].eye_color = (scene.characters[0].eye_color + 1) % static_cast<int>(eye_colors().size());
    EXPECT_EQ(check_attributes(image, wrong).eyes_correct, 0);
    wrong = scene;
    wrong.background_color = (scene.background_color + 2) % static_cast<int>(background_colors().size());
    EXPECT_FALSE(check_attributes(image, wrong).background);

    // A different expression drawn in the image is read as that expression, not as the prompt's.
    Scene other = scene;
    other.characters[0].expression = static_cast<Expression>((static_cast<int>(scene.characters[0].expression) + 1) % 3);
    EXPECT_EQ(check_attributes(render_scene(other, 256), scene).expression_correct, 0);
}

// Every hair colour of the palette is read back as itself.
TEST(AttributeProbe, EveryHairColourIsReadBack) {
    Scene scene = random_scene(11, 0.0);
    for (int truth = 0; truth < static_cast<int>(hair_colors().size()); ++truth) {
        scene.characters[0].hair_color = truth;
        const auto reading = read_scene(render_scene(scene, 256), scene);
        EXPECT_EQ(reading.characters[0].hair_color, truth) << hair_colors()[truth].tag;
    }
}

TEST(AttributeProbe, SwappedCharactersFailSeparation) {
    const Scene scene = two_character_scene();
    const ImageF image = render_scene(scene, 256);
    const auto ok = check_attributes(image, scene);
    EXPECT_TRUE(ok.two_characters);
    EXPECT_TRUE(ok.separation);
    EXPECT_EQ(ok.hair_correct, 2);

    Scene swapped = scene;
    std::swap(swapped.characters[0].hair_color, swapped.characters[1].hair_color);
    const auto bad = check_attributes(image, swapped);
    EXPECT_FALSE(bad.separation);
    EXPECT_EQ(bad.hair_correct, 0);

    AttributeTally tally;
    tally.add(ok);
    tally.add(bad);
    EXPECT_EQ(tally.total_of(Attribute::Separation), 2);
    EXPECT_DOUBLE_EQ(tally.accuracy(Attribute::Separation), 0.5);
    EXPECT_EQ(tally.total_of(Attribute::Hair), 4);
}

TEST(AttributeProbe, TallyWithoutTwoCharacterScenes) {
    AttributeTally tally;
    const Scene scene = random_scene(3, 0.0);
    tally.add(check_attributes(render_scene(scene, 128), scene));
    EXPECT_LT(tally.accuracy(Attribute::Separation), 0.0);  // no sample: reported as n/a
    EXPECT_DOUBLE_EQ(tally.accuracy(Attribute::Background), 1.0);
}

TEST(AttributeProbe, RejectsBadInput) {
    const Scene scene = random_scene(1);
    EXPECT_THROW(read_scene(ImageF(256, 128, 3), scene), StudioError);
    EXPECT_THROW(read_scene(ImageF(32, 32, 3), scene), StudioError);
    EXPECT_THROW(read_scene(ImageF(128, 128, 1), scene), StudioError);
    ImageF broken(128, 128, 3);
    broken.pixels.resize(10);
    EXPECT_THROW(read_scene(broken, scene), StudioError);
    Scene empty = scene;
    empty.characters.clear();
    EXPECT_THROW(read_scene(ImageF(128, 128, 3), empty), StudioError);
    // A black or NaN image is read (wrongly), not crashed on.
    ImageF nan_image(128, 128, 3, std::nanf(""));
    EXPECT_NO_THROW(check_attributes(nan_image, scene));
}
