#pragma once
// The prompt corpus of the demo scenes and the two SentencePiece tokenizers trained on it
// (Gemma side: BPE with byte fallback; Jina side: unigram, read with the fairseq id shift).
// Training runs in core's precision-spm-train process; encoding is core's native tokenizer,
// the one Pipeline::run uses.
#include <cstdint>
#include <memory>
#include <string>

#include "studio/tokenizers/Tokenizer.h"

namespace studio::demo {

// `lines` prompts of random scenes as the encoders see them: Gemma lines carry the training
// system prompt, Jina lines are raw.
std::string demo_prompt_corpus(uint64_t seed, int lines);

struct TokenizerFiles {
    std::string gemma_model;  // <dir>/tokenizer.model
    std::string jina_model;   // <dir>/sentencepiece.bpe.model
};
TokenizerFiles tokenizer_files(const std::string& dir);

// Trains both tokenizers into `dir` unless they exist. Throws ExportError.
TokenizerFiles ensure_demo_tokenizers(const std::string& dir, uint64_t seed, int gemma_pieces, int jina_pieces);

struct TextTokenizers {
    std::unique_ptr<Tokenizer> gemma;
    std::unique_ptr<Tokenizer> jina;
};
TextTokenizers load_demo_tokenizers(const TokenizerFiles& files);  // throws TokenizerError

}  // namespace studio::demo
