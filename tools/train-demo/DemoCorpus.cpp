#include "DemoCorpus.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "studio/Errors.h"
#include "studio/PromptFormat.h"
#include "studio/demo/CharacterAttributes.h"
#include "studio/tokenizers/TokenizerTraining.h"

namespace fs = std::filesystem;

namespace studio::demo {

std::string demo_prompt_corpus(uint64_t seed, int lines) {
    std::string out;
    for (int i = 0; i < lines; ++i) {
        const Scene scene = random_scene(seed * 7919 + static_cast<uint64_t>(i), 0.3);
        const std::string prompt = scene_prompt(scene, {true, (i % 4 == 0) ? 0.3 : 0.0});
        out += (i % 2 == 0 ? gemma_input_text(prompt, SystemPromptMode::Training) : prompt) + "\n";
    }
    // The plain-text system prompt too, so its words do not fall back to bytes.
    out += std::string(kTextSystemPrompt) + "1girl, blue_hair, smile\n";
    return out;
}

TokenizerFiles tokenizer_files(const std::string& dir) {
    return {(fs::path(dir) / "tokenizer.model").string(), (fs::path(dir) / "sentencepiece.bpe.model").string()};
}

namespace {
void train(const fs::path& corpus, const fs::path& prefix, const std::string& extra) {
    try {
        train_sentencepiece("--input=" + corpus.string() + " --model_prefix=" + prefix.string() +
                            " --minloglevel=2 --num_threads=2 --hard_vocab_limit=false " + extra);
    } catch (const TokenizerError& e) {
        throw ExportError(e.what());
    }
    std::error_code ec;
    fs::remove(prefix.string() + ".vocab", ec);
}
}  // namespace

TokenizerFiles ensure_demo_tokenizers(const std::string& dir, uint64_t seed, int gemma_pieces, int jina_pieces) {
    const auto files = tokenizer_files(dir);
    if (fs::exists(files.gemma_model) && fs::exists(files.jina_model)) return files;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw ExportError("cannot create '" + dir + "': " + ec.message());
    const fs::path corpus = fs::path(dir) / "corpus.tmp.txt";
    std::ofstream(corpus) << demo_prompt_corpus(seed, 4000);
    // Same special ids and normaliser settings as Gemma's tokenizer.model.
    train(corpus, fs::path(dir) / "tokenizer",
          "--model_type=bpe --vocab_size=" + std::to_string(gemma_pieces) +
              " --byte_fallback=true --split_digits=true --add_dummy_prefix=false --remove_extra_whitespaces=false"
              " --normalization_rule_name=identity --allow_whitespace_only_pieces=true --character_coverage=1.0"
              " --pad_id=0 --eos_id=1 --bos_id=2 --unk_id=3 --user_defined_symbols=<start_of_turn>,<end_of_turn>");
    // XLM-R style: <unk>=0 <s>=1 </s>=2 in the file; the loader applies the fairseq shift.
    train(corpus, fs::path(dir) / "sentencepiece.bpe",
          "--model_type=unigram --vocab_size=" + std::to_string(jina_pieces) +
              " --character_coverage=1.0 --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1");
    fs::remove(corpus, ec);
    spdlog::info("trained demo tokenizers in {}", dir);
    return files;
}

TextTokenizers load_demo_tokenizers(const TokenizerFiles& files) {
    TextTokenizers t;
    t.gemma = load_sentencepiece_tokenizer(files.gemma_model);
    t.jina = load_sentencepiece_tokenizer_fairseq(files.jina_model);
    return t;
}

}  // namespace studio::demo
