#pragma once
// The demo model's architecture: the four NewBie components at small sizes, chosen per preset.
// Stored as configs.json in the checkpoint folder so every stage and the export agree.
#include <nlohmann/json.hpp>

#include <string>

#include "studio/dit/DitConfig.h"
#include "studio/text/GemmaConfig.h"
#include "studio/text/JinaConfig.h"
#include "studio/vae/VaeConfig.h"

namespace studio::demo {

struct DemoModelConfig {
    std::string preset;      // "demo" (256x256, the shipped model) or "toy" (64x64, CPU tests)
    int image_size{256};
    int gemma_vocab_pieces{1024};  // SentencePiece sizes the tokenizers are trained with
    int jina_vocab_pieces{1024};
    GemmaConfig gemma;
    JinaConfig jina;
    DitConfig dit;
    VaeConfig vae;

    // Sizes of one preset; vocabularies are filled in once the tokenizers exist.
    static DemoModelConfig preset_config(const std::string& name);  // throws ConfigError
    // Sets both text models' vocabularies (and the DiT's caption/pooled widths) from the tokenizers.
    void set_vocabularies(int64_t gemma_vocab, int64_t jina_vocab);

    nlohmann::json to_json() const;
    static DemoModelConfig from_json(const nlohmann::json& j, const std::string& origin);
    std::string summary() const;  // parameter counts per component, one line
};

}  // namespace studio::demo
