#pragma once
// Shared helpers of the tokenizer tests: fixture paths, the expected-ids records, files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "TestSupport.h"

namespace studio::test {

inline std::filesystem::path tokenizer_fixtures() {
    return fixtures_dir() / "tokenizers";
}
inline std::string gemma_model_path() {
    return (tokenizer_fixtures() / "gemma_like" / "tokenizer.model").string();
}
inline std::string xlmr_json_path() {
    return (tokenizer_fixtures() / "xlmr_like" / "tokenizer.json").string();
}

// The records of expected_ids.json (one per test string).
inline nlohmann::json expected_records() {
    std::ifstream in(tokenizer_fixtures() / "expected_ids.json");
    if (!in) return nlohmann::json::array();
    auto j = nlohmann::json::parse(in);
    return j.is_array() ? j : j.value("records", nlohmann::json::array());
}

// tokenizer.json of xlmr_like, parsed (an empty object when it is missing: the callers' checks fail).
inline nlohmann::json xlmr_json() {
    std::ifstream in(xlmr_json_path());
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
}

// Vocabulary size the xlmr_like tokenizer.json declares: its model vocab, plus added tokens
// whose id lies past it.
inline int64_t xlmr_vocab_size() {
    const auto j = xlmr_json();
    if (!j.contains("model")) return -1;
    int64_t n = static_cast<int64_t>(j.at("model").at("vocab").size());
    for (const auto& t : j.value("added_tokens", nlohmann::json::array())) n = std::max(n, t.at("id").get<int64_t>() + 1);
    return n;
}

inline std::vector<int64_t> ids_of(const nlohmann::json& j) {
    return j.get<std::vector<int64_t>>();
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

// Fails the calling test early when the fixture files are absent (set STUDIO_FIXTURES_DIR).
#define STUDIO_REQUIRE_TOKENIZER_FIXTURES()                                                          \
    ASSERT_TRUE(std::filesystem::exists(::studio::test::tokenizer_fixtures() / "expected_ids.json")) \
        << "no tokenizer fixtures under " << ::studio::test::tokenizer_fixtures()

}  // namespace studio::test
