#pragma once
// A small deterministic prompt corpus for training SentencePiece models in the tests, and
// texts that stress the normalizer settings (spaces, tabs, NFKC forms, unseen characters).
#include <cstdint>
#include <string>
#include <vector>

namespace studio::test {

inline std::string spm_training_corpus(int lines) {
    const std::vector<std::string> tags = {"1girl", "solo", "long_hair", "blue_eyes", "smile", "twintails",
                                           "aqua_hair", "school_uniform", "masterpiece", "best_quality",
                                           "looking_at_viewer", "night", "forest", "open_mouth", "2girls"};
    const std::vector<std::string> words = {"a", "girl", "with", "long", "hair", "stands", "in", "the", "rain",
                                            "under", "blue", "sky", "and", "smiles", "at", "viewer"};
    std::string out;
    uint32_t state = 12345;
    const auto next = [&](size_t n) {
        state = state * 1103515245u + 12345u;
        return static_cast<size_t>((state >> 8) % n);
    };
    for (int i = 0; i < lines; ++i) {
        std::string line;
        switch (i % 4) {
            case 0:
                for (int k = 0; k < 6; ++k) line += (k ? ", " : "") + tags[next(tags.size())];
                break;
            case 1:
                line = "<character_1><n>" + tags[next(tags.size())] + "</n><appearance>" + tags[next(tags.size())] +
                       "</appearance></character_1>";
                break;
            case 2:
                for (int k = 0; k < 8; ++k) line += (k ? " " : "") + words[next(words.size())];
                line += ". " + std::to_string(next(2000)) + "x" + std::to_string(next(2000));
                break;
            default:
                line = "\xE5\x88\x9D\xE9\x9F\xB3\xE3\x83\x9F\xE3\x82\xAF, caf\xC3\xA9, na\xC3\xAFve (" +
                       tags[next(tags.size())] + ":1.2)";
        }
        out += line + "\n";
    }
    return out;
}

inline std::vector<std::string> spm_stress_texts() {
    return {"",
            " ",
            "1girl, solo, long_hair",
            "  two  spaces   and\ttab ",
            "   leading and trailing   ",
            "a\t\tb\n\nc\r\nd",
            "line1\r\nline2\n\n\nline3",
            "\xEF\xBD\x86\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C width \xE2\x91\xA0 \xEF\xAC\x81",
            "\xE3\x80\x80ideographic\xE3\x80\x80space\xC2\xA0nbsp",
            "caf\x65\xCC\x81 decomposed, caf\xC3\xA9 composed",
            "\xE5\x88\x9D\xE9\x9F\xB3\xE3\x83\x9F\xE3\x82\xAF \xF0\x9F\x90\xB1\xF0\x9F\x90\xB1 \xCE\xA9",
            "<character_1><n>hatsune_miku</n></character_1>",
            "2girls, 1990s_(style), 1024x1024, 3.14159",
            "artist:name, \\(smile\\), (masterpiece:1.2)",
            "looking_at_viewer!!! ...?? ___",
            "a girl with long hair stands in the rain"};
}

}  // namespace studio::test
