#include "studio/tokenizers/SentencePieceConversion.h"

#include <algorithm>
#include <functional>

#include "Utf8.h"
#include "studio/Errors.h"
#include "studio/tokenizers/PrecompiledCharsmap.h"

namespace studio {

namespace {

using nlohmann::json;

const std::string kMeta = "\xE2\x96\x81";  // U+2581, SentencePiece's escaped space

struct VocabEntry {
    std::string piece;
    float score{0.0f};
    SentencePieceType type{SentencePieceType::Normal};
};

// The pieces under the ids of `layout`. Fairseq replaces ids 0..2 (<unk> <s> </s> in XLM-R's
// model) by its four specials and appends <mask>, as XLMRobertaConverter does.
std::vector<VocabEntry> layout_vocab(const SentencePieceModelInfo& info, SentencePieceIdLayout layout) {
    std::vector<VocabEntry> vocab;
    vocab.reserve(info.pieces.size() + 2);
    if (layout == SentencePieceIdLayout::Model) {
        for (const auto& p : info.pieces) vocab.push_back({p.piece, p.score, p.type});
        return vocab;
    }
    if (info.pieces.size() < 3) throw TokenizerError("a fairseq id layout needs at least 3 pieces");
    vocab = {{"<s>", 0.0f, SentencePieceType::Control},
             {"<pad>", 0.0f, SentencePieceType::Control},
             {"</s>", 0.0f, SentencePieceType::Control},
             {"<unk>", 0.0f, SentencePieceType::Unknown}};
    for (size_t i = 3; i < info.pieces.size(); ++i)
        vocab.push_back({info.pieces[i].piece, info.pieces[i].score, info.pieces[i].type});
    vocab.push_back({"<mask>", 0.0f, SentencePieceType::Control});
    return vocab;
}

// Control and unknown pieces are special added tokens matched on the raw text (SentencePiece
// itself never matches them in text; HF's converted tokenizers do). User-defined pieces are
// plain added tokens. SentencePiece cuts those out before normalizing, but normalizes, strips
// and prefixes the text as a whole: a piece the normalizer leaves intact (no space, not
// changed by the charsmap) is therefore matched in the normalized text, which gives the same
// ids; the others are matched on the raw text as transformers does.
json added_tokens(const SentencePieceModelInfo& info, const std::vector<VocabEntry>& vocab,
                  SentencePieceIdLayout layout) {
    const PrecompiledCharsmap charsmap(info.precompiled_charsmap);
    const auto survives_normalization = [&](const std::string& piece) {
        if (tok::sanitize_utf8(piece) != piece) return false;
        for (size_t i = 0, n = 0; i < piece.size(); i += n)
            if (tok::is_unicode_whitespace(tok::utf8_decode(piece, i, &n))) return false;
        return charsmap.normalize(piece) == piece;
    };
    json out = json::array();
    for (size_t id = 0; id < vocab.size(); ++id) {
        const auto type = vocab[id].type;
        if (type != SentencePieceType::Control && type != SentencePieceType::Unknown &&
            type != SentencePieceType::UserDefined)
            continue;
        const bool user = type == SentencePieceType::UserDefined;
        // XLM-R's <mask> swallows the space before it.
        const bool lstrip = layout == SentencePieceIdLayout::Fairseq && id + 1 == vocab.size();
        out.push_back({{"id", id},
                       {"content", vocab[id].piece},
                       {"single_word", false},
                       {"lstrip", lstrip},
                       {"rstrip", false},
                       {"normalized", user && survives_normalization(vocab[id].piece)},
                       {"special", !user}});
    }
    return out;
}

json replace(const json& pattern, const std::string& content) {
    return {{"type", "Replace"}, {"pattern", pattern}, {"content", content}};
}

json sequence_or_single(const char* key, json steps) {
    if (steps.empty()) return nullptr;
    if (steps.size() == 1) return steps[0];
    return {{"type", "Sequence"}, {key, std::move(steps)}};
}

json precompiled(const SentencePieceModelInfo& info) {
    return {{"type", "Precompiled"}, {"precompiled_charsmap", tok::base64_encode(info.precompiled_charsmap)}};
}

// Open-addressing piece -> id index (first id wins). The merge search probes it millions of
// times for a Gemma-sized vocab, where std::unordered_map's node chasing dominated load time.
class PieceIndex {
public:
    explicit PieceIndex(const std::vector<VocabEntry>& vocab) : m_vocab(vocab) {
        size_t capacity = 16;
        while (capacity < vocab.size() * 2) capacity <<= 1;
        m_slots.assign(capacity, Slot{});
        m_mask = capacity - 1;
        for (size_t id = 0; id < vocab.size(); ++id) {
            const uint64_t h = std::hash<std::string_view>{}(vocab[id].piece);
            size_t i = h & m_mask;
            for (; m_slots[i].id >= 0; i = (i + 1) & m_mask)
                if (m_slots[i].hash == h && m_vocab[static_cast<size_t>(m_slots[i].id)].piece == vocab[id].piece) break;
            if (m_slots[i].id < 0) m_slots[i] = {h, static_cast<int64_t>(id)};
        }
    }

    // The id of `piece`, or -1.
    int64_t find(std::string_view piece) const {
        const uint64_t h = std::hash<std::string_view>{}(piece);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            const Slot& slot = m_slots[i];
            if (slot.id < 0) return -1;
            if (slot.hash == h && m_vocab[static_cast<size_t>(slot.id)].piece == piece) return slot.id;
        }
    }

private:
    struct Slot {
        uint64_t hash{0};
        int64_t id{-1};
    };
    const std::vector<VocabEntry>& m_vocab;
    std::vector<Slot> m_slots;
    size_t m_mask{0};
};

// Merges as transformers' generate_merges derives them: every split of a piece into two
// vocab pieces, ordered by the merged piece's score (SentencePiece merges the best-scored
// pair first), ties in id order. Control, unknown and byte pieces are never merge results.
json bpe_merges(const std::vector<VocabEntry>& vocab, const PieceIndex& ids) {
    struct Merge {
        int64_t left, right;
        float score;
    };
    std::vector<Merge> merges;
    for (const auto& e : vocab) {
        if (e.type == SentencePieceType::Control || e.type == SentencePieceType::Unknown ||
            e.type == SentencePieceType::Byte)
            continue;
        const std::string_view piece = e.piece;
        if (piece.empty()) continue;
        const size_t first = merges.size();
        for (size_t k = tok::utf8_len_fast(static_cast<unsigned char>(piece[0])); k < piece.size();
             k += tok::utf8_len_fast(static_cast<unsigned char>(piece[k]))) {
            const int64_t l = ids.find(piece.substr(0, k));
            if (l < 0) continue;
            if (const int64_t r = ids.find(piece.substr(k)); r >= 0) merges.push_back({l, r, e.score});
        }
        std::sort(merges.begin() + static_cast<std::ptrdiff_t>(first), merges.end(),
                  [](const Merge& a, const Merge& b) {
                      return std::make_pair(a.left, a.right) < std::make_pair(b.left, b.right);
                  });
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) { return a.score > b.score; });
    json out = json::array();
    out.get_ref<json::array_t&>().reserve(merges.size());
    for (const auto& m : merges)
        out.push_back({vocab[static_cast<size_t>(m.left)].piece, vocab[static_cast<size_t>(m.right)].piece});
    return out;
}

// BPE runs on the whole normalized text as SentencePiece does (no word split): normalizer
// steps for the charsmap, whitespace clean-up (Strip: see convert_unigram), dummy prefix and
// space escaping, and a decoder that undoes them: LlamaConverter's legacy layout
// (GemmaConverter's without a dummy prefix). A Prepend step rather than Metaspace, which
// would not prepend to a text that starts with spaces when they are kept.
void convert_bpe(const SentencePieceModelInfo& info, const std::vector<VocabEntry>& vocab, size_t unk_id, json& j) {
    const PieceIndex ids(vocab);
    json vocab_json = json::object();
    for (size_t id = 0; id < vocab.size(); ++id) {
        // A piece repeating a fairseq special (Gemma's <unk> under fairseq ids) leaves its id
        // to the added tokens.
        if (ids.find(vocab[id].piece) == static_cast<int64_t>(id)) vocab_json[vocab[id].piece] = id;
    }
    json norm = json::array();
    if (!info.precompiled_charsmap.empty()) norm.push_back(precompiled(info));
    if (info.remove_extra_whitespaces) {
        norm.push_back({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}});
        norm.push_back(replace({{"Regex", " {2,}"}}, " "));
    }
    if (info.add_dummy_prefix) norm.push_back({{"type", "Prepend"}, {"prepend", " "}});
    if (info.escape_whitespaces) norm.push_back(replace({{"String", " "}}, kMeta));

    json dec = json::array();
    if (info.escape_whitespaces) dec.push_back(replace({{"String", kMeta}}, " "));
    dec.push_back({{"type", "ByteFallback"}});
    dec.push_back({{"type", "Fuse"}});
    if (info.add_dummy_prefix) dec.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});

    j["normalizer"] = sequence_or_single("normalizers", std::move(norm));
    j["pre_tokenizer"] = nullptr;
    j["decoder"] = {{"type", "Sequence"}, {"decoders", std::move(dec)}};
    j["model"] = {{"type", "BPE"},
                  {"dropout", nullptr},
                  {"unk_token", vocab[unk_id].piece},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"fuse_unk", true},
                  {"byte_fallback", info.byte_fallback},
                  {"ignore_merges", false},
                  {"vocab", std::move(vocab_json)},
                  {"merges", bpe_merges(vocab, ids)}};
}

// Unigram. The fairseq layout (XLM-R) is XLMRobertaConverter's: runs of spaces become one
// U+2581 and Metaspace "always" prepends one to every segment that does not start with it,
// also after added tokens, as the tokenizer.json the model ships with does. The model's own
// layout follows SentencePiece's normalizer step by step instead (Strip both ends, Prepend
// once to the whole text, Metaspace "never"): the same ids, and also around user-defined
// pieces. Metaspace splits words at U+2581 in both. Strip removes every Unicode space where
// SentencePiece removes ' ' only: the same after nmt_nfkc (it maps the others to ' '), not
// with the identity rules.
void convert_unigram(const SentencePieceModelInfo& info, const std::vector<VocabEntry>& vocab, size_t unk_id,
                     SentencePieceIdLayout layout, json& j) {
    json vocab_json = json::array();
    vocab_json.get_ref<json::array_t&>().reserve(vocab.size());
    for (const auto& e : vocab) vocab_json.push_back({e.piece, static_cast<double>(e.score)});

    const bool converter = layout == SentencePieceIdLayout::Fairseq && info.add_dummy_prefix &&
                           info.remove_extra_whitespaces && info.escape_whitespaces;
    const auto metaspace = [](const char* scheme) {
        return json{{"type", "Metaspace"}, {"replacement", kMeta}, {"prepend_scheme", scheme}, {"split", true}};
    };
    json norm = json::array();
    json dec = json::array();
    if (!info.precompiled_charsmap.empty()) norm.push_back(precompiled(info));
    if (converter) {
        norm.push_back({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}});
        norm.push_back(replace({{"Regex", " {2,}"}}, kMeta));
        j["pre_tokenizer"] = metaspace("always");
        if (info.byte_fallback) dec.push_back({{"type", "ByteFallback"}});
        dec.push_back(metaspace("always"));
    } else {
        if (info.remove_extra_whitespaces) {
            norm.push_back({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}});
            norm.push_back(replace({{"Regex", " {2,}"}}, " "));
        }
        if (info.add_dummy_prefix) norm.push_back({{"type", "Prepend"}, {"prepend", " "}});
        j["pre_tokenizer"] = info.escape_whitespaces ? metaspace("never") : json(nullptr);
        if (info.escape_whitespaces) dec.push_back(replace({{"String", kMeta}}, " "));
        if (info.byte_fallback) dec.push_back({{"type", "ByteFallback"}});
        dec.push_back({{"type", "Fuse"}});
        if (info.add_dummy_prefix) dec.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    }
    j["normalizer"] = sequence_or_single("normalizers", std::move(norm));
    j["decoder"] = sequence_or_single("decoders", std::move(dec));
    j["model"] = {{"type", "Unigram"},
                  {"unk_id", unk_id},
                  {"vocab", std::move(vocab_json)},
                  {"byte_fallback", info.byte_fallback}};
}

}  // namespace

nlohmann::json sentencepiece_to_tokenizer_json(const SentencePieceModelInfo& info, SentencePieceIdLayout layout) {
    if (info.model_type != "bpe" && info.model_type != "unigram")
        throw TokenizerError("SentencePiece " + info.model_type + " models are not supported (BPE and Unigram are)");
    if (info.treat_whitespace_as_suffix)
        throw TokenizerError("SentencePiece models with treat_whitespace_as_suffix are not supported");
    const auto vocab = layout_vocab(info, layout);
    const size_t unk_id = layout == SentencePieceIdLayout::Fairseq ? 3 : static_cast<size_t>(info.unk_id);
    if (unk_id >= vocab.size()) throw TokenizerError("the unk id is outside the pieces");
    json j = {{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}};
    j["added_tokens"] = added_tokens(info, vocab, layout);
    if (info.model_type == "bpe")
        convert_bpe(info, vocab, unk_id, j);
    else
        convert_unigram(info, vocab, unk_id, layout, j);
    j["post_processor"] = nullptr;
    return j;
}

}  // namespace studio
