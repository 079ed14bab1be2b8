#pragma once
// The "model" of a tokenizer.json: turns one pre-tokenized word into ids.
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace studio::tok {

class TokenModel {
public:
    virtual ~TokenModel() = default;
    virtual void tokenize(std::string_view word, std::vector<int64_t>& out) const = 0;
    virtual int64_t size() const = 0;                              // one past the largest id
    virtual const std::string* id_to_token(int64_t id) const = 0;  // nullptr when unknown
    virtual std::optional<int64_t> token_to_id(std::string_view token) const = 0;
    virtual std::string summary() const = 0;  // e.g. "302 pieces"
};

// Throw TokenizerError (without the file name) on malformed model JSON.
std::unique_ptr<TokenModel> make_unigram_model(const nlohmann::json& j);
std::unique_ptr<TokenModel> make_bpe_model(const nlohmann::json& j);

}  // namespace studio::tok
