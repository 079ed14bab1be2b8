// tokenizer.json loading (Unigram / BPE / WordPiece-less subset): a document is either refused
// with a TokenizerError / ModelLoadError / ConfigError, or it encodes and decodes text without
// ids outside the vocabulary.
#include "FuzzSupport.h"
#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = studio::fuzz::write_scratch("tokenizer.json", data, size);
    std::unique_ptr<studio::Tokenizer> tok;
    try {
        tok = studio::load_tokenizer_json(path);
    } catch (const studio::StudioError&) {
        return 0;
    }
    try {
        for (const char* text : {"1girl, solo, <n>miku</n>", "  caf\xC3\xA9 \xE5\x88\x9D\xE9\x9F\xB3", "", "\xFF\xFE"}) {
            const auto ids = tok->encode(text);
            for (const auto id : ids)
                if (id < 0 || id >= tok->vocab_size()) studio::fuzz::finding("id out of range: " + std::to_string(id));
            (void)tok->decode(ids);
        }
    } catch (const studio::StudioError&) {
    }
    return 0;
}
