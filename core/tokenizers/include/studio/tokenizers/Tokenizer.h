#pragma once
// Text -> token ids for the two text encoders: Gemma (SentencePiece BPE, or its HF
// tokenizer.json) and Jina CLIP v2 (XLM-RoBERTa Unigram tokenizer.json).
// Every loader throws TokenizerError naming the file when it is missing, corrupt or of an
// unsupported kind. encode() never throws on odd text: invalid UTF-8 becomes U+FFFD first.
// A loaded tokenizer is immutable: encode / decode may run on several threads at once.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "studio/ModelFolder.h"

namespace studio {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // Ids of `text` without any special tokens added (no BOS / EOS).
    virtual std::vector<int64_t> encode(const std::string& text) const = 0;
    // Text of `ids`; special / control tokens are skipped. Throws TokenizerError on ids
    // outside [0, vocab_size()).
    virtual std::string decode(const std::vector<int64_t>& ids) const = 0;
    virtual int64_t vocab_size() const = 0;
    // The vocabulary string of `id`; throws TokenizerError when out of range.
    virtual std::string id_to_piece(int64_t id) const = 0;
    // Human-readable summary, e.g. "SentencePiece BPE (tokenizer.model, 512 pieces)".
    virtual std::string description() const = 0;
};

// A SentencePiece tokenizer.model, ids as the model numbers them (Gemma). Read natively and
// run as its equivalent tokenizer.json (SentencePieceConversion.h); no libsentencepiece.
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path);
// A SentencePiece model seen through fairseq's id layout, as XLM-R uses it:
// <s>=0 <pad>=1 </s>=2 <unk>=3, piece i>=3 -> i+1, <mask> last.
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer_fairseq(const std::string& path);
// A HF tokenizer.json with a Unigram or BPE model, reproducing the `tokenizers` runtime.
std::unique_ptr<Tokenizer> load_tokenizer_json(const std::string& path);

// Picks the right file of a component: Gemma (TextEncoder) prefers tokenizer.model and
// falls back to tokenizer.json; Jina (Clip) uses tokenizer.json and falls back to a
// SentencePiece model with the fairseq id shift. When the preferred file fails to load
// and the other exists, the other is used and a warning is logged.
std::unique_ptr<Tokenizer> load_component_tokenizer(const ComponentFiles& component);

struct TokenBatch {
    std::vector<std::vector<int64_t>> ids;   // [batch][length], right-padded
    std::vector<std::vector<int64_t>> mask;  // 1 = token, 0 = pad
    int64_t length{0};
    std::vector<int64_t> lengths;  // valid tokens per row
    std::vector<bool> truncated;
};

// Gemma: BOS + ids, no EOS, truncated to max_length, right-padded with pad_id to the
// longest row rounded up to a multiple of pad_multiple (<= 1: no rounding).
TokenBatch make_gemma_batch(const Tokenizer& tok, const std::vector<std::string>& texts, int max_length = 512,
                            int pad_multiple = 8, int64_t bos_id = 2, int64_t pad_id = 0);
// Jina / XLM-R: <s> + ids + </s>, truncated to max_length keeping </s>, right-padded with
// pad_id to the longest row.
TokenBatch make_jina_batch(const Tokenizer& tok, const std::vector<std::string>& texts, int max_length = 512,
                           int64_t bos_id = 0, int64_t eos_id = 2, int64_t pad_id = 1);

}  // namespace studio
