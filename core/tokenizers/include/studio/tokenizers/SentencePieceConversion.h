#pragma once
// A SentencePiece model as the equivalent HF tokenizer.json, built the way transformers'
// convert_slow_tokenizer does, so that the tokenizer.json runtime serves both file kinds and
// no SentencePiece library is needed (load_sentencepiece_tokenizer runs this).
//
// BPE (GemmaConverter / LlamaConverter): vocab in id order, merges of every piece split into
// two vocab pieces ordered by the merged piece's score, byte fallback and fused <unk>.
// Unigram (SpmConverter): pieces with scores and the unk id; Metaspace splits words.
// Both: normalizer steps for the NormalizerSpec (Precompiled charsmap, remove_extra_whitespaces,
// add_dummy_prefix, escape_whitespaces) and a decoder that undoes them. The fairseq layout is
// XLMRobertaConverter's document (XLM-R's tokenizer.json) plus the XLM-R special tokens.
// Control / unknown pieces become special added tokens, user-defined pieces plain ones.
//
// Checked against libsentencepiece on trained models (tests/tokenizers). Known differences,
// all shared with HF's runtime: control-piece text such as "<s>" in the input is that token;
// decode drops <unk> where SentencePiece prints U+2047; with the identity rules, clean-up
// also strips tabs and newlines at the ends; user-defined pieces containing spaces or changed
// by the charsmap split the text before the clean-up.
#include <nlohmann/json.hpp>

#include "studio/tokenizers/SentencePieceModel.h"

namespace studio {

enum class SentencePieceIdLayout {
    Model,    // ids as the model numbers its pieces (Gemma)
    Fairseq,  // XLM-R: <s>=0 <pad>=1 </s>=2 <unk>=3, piece i>=3 -> i+1, <mask> last
};

// Throws TokenizerError for word / char models and options the runtime cannot express.
nlohmann::json sentencepiece_to_tokenizer_json(const SentencePieceModelInfo& info,
                                               SentencePieceIdLayout layout = SentencePieceIdLayout::Model);

}  // namespace studio
