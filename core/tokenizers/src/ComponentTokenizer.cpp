#include <spdlog/spdlog.h>

#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {

namespace {

using Loader = std::unique_ptr<Tokenizer> (*)(const std::string&);

struct Choice {
    std::string path;
    Loader load;
};

}  // namespace

std::unique_ptr<Tokenizer> load_component_tokenizer(const ComponentFiles& component) {
    std::vector<Choice> choices;
    const auto add = [&](const std::string& path, Loader load) {
        if (!path.empty()) choices.push_back({path, load});
    };
    switch (component.kind) {
        case ComponentKind::TextEncoder:  // Gemma: the SentencePiece model is the reference
            add(component.tokenizer_model, &load_sentencepiece_tokenizer);
            add(component.tokenizer_json, &load_tokenizer_json);
            break;
        case ComponentKind::Clip:  // Jina / XLM-R: tokenizer.json is what the model was trained with
            add(component.tokenizer_json, &load_tokenizer_json);
            add(component.tokenizer_model, &load_sentencepiece_tokenizer_fairseq);
            break;
        default:
            throw TokenizerError("the " + to_string(component.kind) + " component has no tokenizer");
    }
    const std::string where = component.tokenizer_dir.empty() ? component.dir : component.tokenizer_dir;
    if (choices.empty())
        throw TokenizerError("no tokenizer.model or tokenizer.json for the " + to_string(component.kind) +
                             " component in '" + where + "'");
    try {
        return choices[0].load(choices[0].path);
    } catch (const TokenizerError& first) {
        if (choices.size() < 2) throw;
        spdlog::warn("{}; using '{}' instead", first.what(), choices[1].path);
        try {
            return choices[1].load(choices[1].path);
        } catch (const TokenizerError& second) {
            throw TokenizerError(std::string(first.what()) + "; " + second.what());
        }
    }
}

}  // namespace studio
