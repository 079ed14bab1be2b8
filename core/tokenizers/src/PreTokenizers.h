#pragma once
// tokenizer.json "pre_tokenizer" steps: Sequence, Metaspace, Split, WhitespaceSplit.
// Each step splits every piece further, with the HF split behaviours.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "Pattern.h"

namespace studio::tok {

struct Piece {
    std::string text;
    bool at_start{false};  // begins at offset 0 of the whole input (Metaspace "first")
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Splits `piece` at `matches` (sorted, non-overlapping) the way HF's NormalizedString::split
// does; empty parts are dropped.
std::vector<Piece> split_piece(const Piece& piece, const std::vector<Range>& matches, SplitBehavior behavior,
                               bool invert = false);

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    virtual std::vector<Piece> apply(std::vector<Piece> pieces) const = 0;
};

// Null JSON gives nullptr (the whole text is one word).
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j);

}  // namespace studio::tok
