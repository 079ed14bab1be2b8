#pragma once
// The "added_tokens" of a tokenizer.json. Like HF's AddedVocabulary, they are cut out of the
// text before the model runs: tokens with normalized=false on the raw text, the others on
// the normalized text, leftmost-longest, honouring lstrip / rstrip / single_word.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace studio::tok {

struct AddedToken {
    std::string content;
    int64_t id{0};
    bool special{false};
    bool lstrip{false};
    bool rstrip{false};
    bool single_word{false};
    bool normalized{true};
};

struct Segment {
    std::string text;
    int64_t id{-1};  // >= 0: an added token
    size_t offset{0};
};

class AddedTokens {
public:
    AddedTokens() = default;
    explicit AddedTokens(std::vector<AddedToken> tokens);
    static AddedTokens from_json(const nlohmann::json& list);

    // Splits `text` around the tokens whose `normalized` flag equals `normalized`.
    std::vector<Segment> split(std::string_view text, bool normalized) const;

    const AddedToken* find(int64_t id) const;
    bool empty() const { return m_tokens.empty(); }
    int64_t max_id() const;

private:
    std::vector<AddedToken> m_tokens;
    std::unordered_map<int64_t, size_t> m_by_id;
    // Candidates by first byte, longest first; one list per `normalized` flag.
    std::vector<std::vector<size_t>> m_first_byte[2];
};

}  // namespace studio::tok
