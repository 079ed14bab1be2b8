// Unigram model as HF tokenizers runs it: Viterbi over piece log-probabilities, characters
// without a piece become <unk> scored min_score - 10, consecutive unknowns fused into one.
#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "TokenModel.h"
#include "Utf8.h"
#include "studio/Errors.h"
#include "studio/Json.h"

namespace studio::tok {

namespace {

constexpr double kUnkPenalty = 10.0;

class UnigramModel : public TokenModel {
public:
    explicit UnigramModel(const nlohmann::json& j) {
        const auto& vocab = j.at("vocab");
        if (!vocab.is_array() || vocab.empty())
            throw TokenizerError("Unigram vocab must be a non-empty list of [piece, score]");
        m_pieces.reserve(vocab.size());
        for (const auto& entry : vocab) {
            if (!entry.is_array() || entry.size() != 2)
                throw TokenizerError("Unigram vocab entries must be [piece, score]");
            m_pieces.push_back({entry[0].get<std::string>(), entry[1].get<double>()});
        }
        m_ids.reserve(m_pieces.size());
        m_min_score = std::numeric_limits<double>::infinity();
        for (size_t id = 0; id < m_pieces.size(); ++id) {
            const auto& [piece, score] = m_pieces[id];
            m_ids[piece] = static_cast<int64_t>(id);  // a repeated piece keeps its last id, as in HF
            m_max_piece_bytes = std::max(m_max_piece_bytes, piece.size());
            m_min_score = std::min(m_min_score, score);
        }
        if (j.contains("unk_id") && !j.at("unk_id").is_null()) {
            m_unk_id = json_get<int64_t>(j.at("unk_id"));
            if (*m_unk_id < 0 || *m_unk_id >= size()) throw TokenizerError("Unigram unk_id is outside the vocab");
        }
        m_byte_fallback = j.value("byte_fallback", false);
    }

    void tokenize(std::string_view word, std::vector<int64_t>& out) const override {
        for (const auto& piece : viterbi(word)) {
            if (const auto it = m_ids.find(piece); it != m_ids.end()) {
                out.push_back(it->second);
                continue;
            }
            if (m_byte_fallback && append_bytes(piece, out)) continue;
            if (!m_unk_id)
                throw TokenizerError("text has characters outside the Unigram vocab and the model has no unk_id");
            out.push_back(*m_unk_id);
        }
    }

    int64_t size() const override { return static_cast<int64_t>(m_pieces.size()); }
    const std::string* id_to_token(int64_t id) const override {
        return id >= 0 && id < size() ? &m_pieces[static_cast<size_t>(id)].first : nullptr;
    }
    std::optional<int64_t> token_to_id(std::string_view token) const override {
        const auto it = m_ids.find(token);
        return it == m_ids.end() ? std::nullopt : std::optional<int64_t>(it->second);
    }
    std::string summary() const override {
        return std::to_string(size()) + " pieces" + (m_byte_fallback ? ", byte fallback" : "");
    }

private:
    struct Node {
        int64_t id{-1};
        double score{0.0};
        size_t start{0};
        bool set{false};
    };

    // Best segmentation of `s` as strings (HF encode_optimized): pieces found by prefix
    // lookup from each character start, first-found wins ties, unknown runs fused.
    std::vector<std::string_view> viterbi(std::string_view s) const {
        std::vector<std::string_view> result;
        if (s.empty()) return result;
        const double unk_score = m_min_score - kUnkPenalty;
        std::vector<Node> best(s.size() + 1);
        best[0].set = true;
        for (size_t start = 0; start < s.size();) {
            const double base = best[start].score;
            const size_t char_len = std::min(utf8_len_fast(static_cast<unsigned char>(s[start])), s.size() - start);
            bool has_single = false;
            const size_t limit = std::min(s.size(), start + m_max_piece_bytes);
            for (size_t end = start + char_len; end <= limit;) {
                if (const auto it = m_ids.find(s.substr(start, end - start)); it != m_ids.end()) {
                    const double cand = base + m_pieces[static_cast<size_t>(it->second)].second;
                    Node& target = best[end];
                    if (!target.set || cand > target.score) target = {it->second, cand, start, true};
                    if (end - start == char_len) has_single = true;
                }
                if (end == s.size()) break;
                end = std::min(end + utf8_len_fast(static_cast<unsigned char>(s[end])), s.size());
            }
            if (!has_single) {
                Node& target = best[start + char_len];
                const double cand = base + unk_score;
                if (!target.set || cand > target.score) target = {kUnk, cand, start, true};
            }
            start += char_len;
        }
        // Walk back; unknown nodes merge with their unknown neighbours.
        size_t unk_end = 0;
        for (size_t end = s.size(); end > 0;) {
            const Node& node = best[end];
            const bool unknown = node.id == kUnk || (m_unk_id && node.id == *m_unk_id);
            if (unknown) {
                if (unk_end == 0) unk_end = end;
            } else {
                if (unk_end) result.push_back(s.substr(end, unk_end - end));
                unk_end = 0;
                result.push_back(s.substr(node.start, end - node.start));
            }
            end = node.start;
        }
        if (unk_end) result.push_back(s.substr(0, unk_end));
        std::reverse(result.begin(), result.end());
        return result;
    }

    bool append_bytes(std::string_view piece, std::vector<int64_t>& out) const {
        std::vector<int64_t> ids;
        static const char* kHex = "0123456789ABCDEF";
        for (const char c : piece) {
            const auto b = static_cast<unsigned char>(c);
            const std::string name = std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">";
            const auto it = m_ids.find(name);
            if (it == m_ids.end()) return false;
            ids.push_back(it->second);
        }
        out.insert(out.end(), ids.begin(), ids.end());
        return true;
    }

    static constexpr int64_t kUnk = -2;  // lattice marker for "no piece"

    std::vector<std::pair<std::string, double>> m_pieces;
    std::unordered_map<std::string_view, int64_t> m_ids;  // views into m_pieces
    size_t m_max_piece_bytes{0};
    double m_min_score{0.0};
    std::optional<int64_t> m_unk_id;
    bool m_byte_fallback{false};
};

}  // namespace

std::unique_ptr<TokenModel> make_unigram_model(const nlohmann::json& j) {
    return std::make_unique<UnigramModel>(j);
}

}  // namespace studio::tok
