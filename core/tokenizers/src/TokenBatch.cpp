#include <algorithm>

#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {

namespace {

// Right-pads every row to `length` and fills the masks.
TokenBatch pad_rows(std::vector<std::vector<int64_t>> rows, std::vector<bool> truncated, int64_t length,
                    int64_t pad_id) {
    TokenBatch batch;
    batch.length = length;
    batch.truncated = std::move(truncated);
    for (auto& row : rows) {
        const auto n = static_cast<int64_t>(row.size());
        batch.lengths.push_back(n);
        std::vector<int64_t> mask(static_cast<size_t>(length), 0);
        std::fill(mask.begin(), mask.begin() + n, 1);
        row.resize(static_cast<size_t>(length), pad_id);
        batch.ids.push_back(std::move(row));
        batch.mask.push_back(std::move(mask));
    }
    return batch;
}

int64_t longest(const std::vector<std::vector<int64_t>>& rows) {
    size_t n = 0;
    for (const auto& r : rows) n = std::max(n, r.size());
    return static_cast<int64_t>(n);
}

}  // namespace

TokenBatch make_gemma_batch(const Tokenizer& tok, const std::vector<std::string>& texts, int max_length,
                            int pad_multiple, int64_t bos_id, int64_t pad_id) {
    if (max_length < 1) throw TokenizerError("Gemma max_length must be at least 1, got " + std::to_string(max_length));
    std::vector<std::vector<int64_t>> rows;
    std::vector<bool> truncated;
    for (const auto& text : texts) {
        std::vector<int64_t> row{bos_id};
        const auto ids = tok.encode(text);
        row.insert(row.end(), ids.begin(), ids.end());
        truncated.push_back(row.size() > static_cast<size_t>(max_length));
        if (truncated.back()) row.resize(static_cast<size_t>(max_length));
        rows.push_back(std::move(row));
    }
    int64_t length = longest(rows);
    // Like HF pad_to_multiple_of: the padded length may pass max_length.
    if (pad_multiple > 1 && length % pad_multiple != 0) length += pad_multiple - length % pad_multiple;
    return pad_rows(std::move(rows), std::move(truncated), length, pad_id);
}

TokenBatch make_jina_batch(const Tokenizer& tok, const std::vector<std::string>& texts, int max_length, int64_t bos_id,
                           int64_t eos_id, int64_t pad_id) {
    if (max_length < 2) throw TokenizerError("Jina max_length must be at least 2, got " + std::to_string(max_length));
    std::vector<std::vector<int64_t>> rows;
    std::vector<bool> truncated;
    for (const auto& text : texts) {
        auto ids = tok.encode(text);
        const size_t room = static_cast<size_t>(max_length) - 2;
        truncated.push_back(ids.size() > room);
        if (truncated.back()) ids.resize(room);
        std::vector<int64_t> row{bos_id};
        row.insert(row.end(), ids.begin(), ids.end());
        row.push_back(eos_id);
        rows.push_back(std::move(row));
    }
    const int64_t length = longest(rows);
    return pad_rows(std::move(rows), std::move(truncated), length, pad_id);
}

}  // namespace studio
