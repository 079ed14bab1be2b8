#include "studio/prompt/PromptTemplates.h"

#include "studio/Errors.h"

#include <utility>

namespace studio {

namespace {

// Layout of the official NewBie examples; $character_N$ is the name placeholder they use.
const std::vector<std::pair<std::string, std::string>>& templates() {
    static const std::vector<std::pair<std::string, std::string>> list{
        {"One character", R"(<character_1>
  <n>$character_1$</n>
  <gender>1girl</gender>
  <appearance>long_hair, blue_hair, blue_eyes, hair_between_eyes</appearance>
  <clothing>school_uniform, serafuku, pleated_skirt, black_thighhighs</clothing>
  <expression>smile, open_mouth</expression>
  <action>standing, looking_at_viewer</action>
  <position>center</position>
</character_1>
<general_tags>
  <count>1girl, solo</count>
  <style>anime_style, digital_art</style>
  <background>outdoors, cherry_blossoms, blue_sky</background>
  <atmosphere>cheerful</atmosphere>
  <quality>masterpiece, best_quality, high_resolution</quality>
</general_tags>)"},
        {"Two characters", R"(<character_1>
  <n>$character_1$</n>
  <gender>1girl</gender>
  <appearance>long_hair, silver_hair, red_eyes</appearance>
  <clothing>white_dress, hair_ribbon</clothing>
  <expression>happy, smile</expression>
  <action>waving</action>
  <position>center_left</position>
</character_1>
<character_2>
  <n>$character_2$</n>
  <gender>1boy</gender>
  <appearance>short_hair, black_hair, brown_eyes</appearance>
  <clothing>black_jacket, white_shirt</clothing>
  <expression>light_smile</expression>
  <action>hand_in_pocket</action>
  <position>center_right</position>
</character_2>
<general_tags>
  <count>1girl, 1boy</count>
  <style>anime_style, digital_art</style>
  <background>city, street, sunset</background>
  <atmosphere>romantic</atmosphere>
  <quality>masterpiece, best_quality, high_resolution</quality>
</general_tags>)"},
        {"Three characters", R"(<character_1>
  <n>$character_1$</n>
  <gender>1girl</gender>
  <appearance>twintails, pink_hair, green_eyes</appearance>
  <clothing>maid, maid_headdress, apron</clothing>
  <expression>smile</expression>
  <action>holding_tray</action>
  <position>center_left</position>
</character_1>
<character_2>
  <n>$character_2$</n>
  <gender>1girl</gender>
  <appearance>ponytail, blonde_hair, blue_eyes</appearance>
  <clothing>kimono, obi</clothing>
  <expression>blush</expression>
  <action>sitting</action>
  <position>center</position>
</character_2>
<character_3>
  <n>$character_3$</n>
  <gender>1girl</gender>
  <appearance>short_hair, black_hair, purple_eyes</appearance>
  <clothing>hoodie, shorts</clothing>
  <expression>grin</expression>
  <action>v</action>
  <position>center_right</position>
</character_3>
<general_tags>
  <count>3girls, multiple_girls</count>
  <style>anime_style</style>
  <background>indoors, cafe</background>
  <atmosphere>cheerful</atmosphere>
  <quality>masterpiece, best_quality</quality>
</general_tags>)"},
        {"Scenery", R"(<general_tags>
  <count>no_humans</count>
  <style>anime_style, digital_art</style>
  <background>scenery, mountain, lake, forest</background>
  <lighting>sunlight, light_rays</lighting>
  <atmosphere>peaceful</atmosphere>
  <quality>masterpiece, best_quality, high_resolution</quality>
</general_tags>)"},
        // The embedded demo model's vocabulary (core/demo): what it has learned to draw.
        {"Demo model: one character", R"(<character_1>
  <n>$character_1$</n>
  <gender>1girl</gender>
  <appearance>blue_hair, long_hair, red_eyes</appearance>
  <clothing>white_sailor_uniform, hair_bow</clothing>
  <expression>smile</expression>
</character_1>
<general_tags>
  <count>1girl, solo</count>
  <style>anime_coloring, portrait</style>
  <background>yellow_background, polka_dot_background</background>
</general_tags>)"},
        {"Demo model: two characters", R"(<character_1>
  <n>$character_1$</n>
  <gender>1girl</gender>
  <appearance>pink_hair, twintails, blue_eyes</appearance>
  <clothing>white_dress, hair_bow</clothing>
  <expression>smile</expression>
  <position>left</position>
</character_1>
<character_2>
  <n>$character_2$</n>
  <gender>1boy</gender>
  <appearance>black_hair, short_hair, red_eyes</appearance>
  <clothing>blue_hoodie</clothing>
  <expression>open_mouth</expression>
  <position>right</position>
</character_2>
<general_tags>
  <count>1girl, 1boy, multiple_characters</count>
  <style>anime_coloring, portrait</style>
  <background>green_background, striped_background</background>
</general_tags>)"},
        {"Plain tags", "1girl, solo, long_hair, blue_hair, blue_eyes, smile, school_uniform, outdoors, "
                       "masterpiece, best_quality"},
    };
    return list;
}

}  // namespace

std::vector<std::string> prompt_template_names() {
    std::vector<std::string> names;
    for (const auto& [name, text] : templates()) names.push_back(name);
    return names;
}

std::string prompt_template(const std::string& name) {
    for (const auto& [n, text] : templates())
        if (n == name) return text;
    throw StudioError("unknown prompt template '" + name + "'");
}

}  // namespace studio
