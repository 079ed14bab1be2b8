// HF tokenizer.json runtime: added tokens cut out, normalizer, pre-tokenizer, Unigram or
// BPE model, decoder, in the order and with the semantics of the `tokenizers` library.
#include "JsonTokenizer.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "AddedTokens.h"
#include "Decoders.h"
#include "Normalizers.h"
#include "PreTokenizers.h"
#include "TokenModel.h"
#include "Utf8.h"
#include "studio/Errors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {

namespace {

std::string model_type_of(const nlohmann::json& model) {
    if (model.contains("type")) return model.at("type").get<std::string>();
    // Older files leave the type out; the fields tell.
    if (model.contains("merges")) return "BPE";
    if (model.contains("vocab") && model.at("vocab").is_array()) return "Unigram";
    return "unknown";
}

class JsonTokenizer : public Tokenizer {
public:
    JsonTokenizer(const std::string& path, const nlohmann::json& j, const std::string& description) : m_path(path) {
        if (!j.is_object() || !j.contains("model") || !j.at("model").is_object())
            throw TokenizerError("no \"model\" object");
        const auto& model = j.at("model");
        const std::string type = model_type_of(model);
        if (type == "Unigram")
            m_model = tok::make_unigram_model(model);
        else if (type == "BPE")
            m_model = tok::make_bpe_model(model);
        else
            throw TokenizerError("unsupported model type '" + type + "' (Unigram and BPE are supported)");
        m_added = tok::AddedTokens::from_json(j.value("added_tokens", nlohmann::json()));
        m_normalizer = tok::make_normalizer(j.value("normalizer", nlohmann::json()));
        m_pre_tokenizer = tok::make_pre_tokenizer(j.value("pre_tokenizer", nlohmann::json()));
        const auto decoder = j.value("decoder", nlohmann::json());
        m_decoder = tok::make_decoder(decoder);
        m_join_with_space = decoder.is_null();
        if (!m_decoder && !m_join_with_space) m_decoder = tok::make_default_decoder();
        m_vocab_size = std::max(m_model->size(), m_added.max_id() + 1);
        m_description = !description.empty()
                            ? description
                            : "HF tokenizers " + type + " (" + std::filesystem::path(path).filename().string() + ", " +
                                  m_model->summary() + ")";
    }

    std::vector<int64_t> encode(const std::string& input) const override {
        std::vector<int64_t> ids;
        const std::string text = tok::sanitize_utf8(input);
        for (const auto& raw : m_added.split(text, false)) {
            if (raw.id >= 0) {
                ids.push_back(raw.id);
                continue;
            }
            const std::string normalized = m_normalizer ? m_normalizer->normalize(raw.text) : raw.text;
            for (const auto& seg : m_added.split(normalized, true)) {
                if (seg.id >= 0) {
                    ids.push_back(seg.id);
                    continue;
                }
                std::vector<tok::Piece> pieces{{seg.text, raw.offset == 0 && seg.offset == 0}};
                if (m_pre_tokenizer) pieces = m_pre_tokenizer->apply(std::move(pieces));
                for (const auto& p : pieces) m_model->tokenize(p.text, ids);
            }
        }
        return ids;
    }

    std::string decode(const std::vector<int64_t>& ids) const override {
        std::vector<std::string> tokens;
        tokens.reserve(ids.size());
        for (const int64_t id : ids) {
            const auto* added = m_added.find(id);
            if (added && added->special) continue;
            tokens.push_back(id_to_piece(id));
        }
        std::string out;
        if (m_join_with_space) {
            for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
            return out;
        }
        m_decoder->apply(tokens);
        for (const auto& t : tokens) out += t;
        return out;
    }

    int64_t vocab_size() const override { return m_vocab_size; }

    std::string id_to_piece(int64_t id) const override {
        if (const auto* added = m_added.find(id)) return added->content;
        if (const auto* token = m_model->id_to_token(id)) return *token;
        throw TokenizerError("token id " + std::to_string(id) + " is outside the vocabulary of '" + m_path + "'");
    }

    std::string description() const override { return m_description; }

private:
    std::string m_path;
    std::unique_ptr<tok::TokenModel> m_model;
    tok::AddedTokens m_added;
    std::unique_ptr<tok::Normalizer> m_normalizer;
    std::unique_ptr<tok::PreTokenizer> m_pre_tokenizer;
    std::unique_ptr<tok::Decoder> m_decoder;
    bool m_join_with_space{false};
    int64_t m_vocab_size{0};
    std::string m_description;
};

}  // namespace

std::unique_ptr<Tokenizer> make_json_tokenizer(const nlohmann::json& j, const std::string& path,
                                               const std::string& description) {
    return std::make_unique<JsonTokenizer>(path, j, description);
}

std::unique_ptr<Tokenizer> load_tokenizer_json(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw TokenizerError("tokenizer file not found: '" + path + "'");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TokenizerError("cannot open tokenizer file '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {
        throw TokenizerError("invalid JSON in tokenizer file '" + path + "': " + e.what());
    }
    try {
        return make_json_tokenizer(j, path);
    } catch (const TokenizerError& e) {
        throw TokenizerError("cannot load tokenizer file '" + path + "': " + e.what());
    } catch (const nlohmann::json::exception& e) {
        throw TokenizerError("malformed tokenizer file '" + path + "': " + e.what());
    }
}

}  // namespace studio
