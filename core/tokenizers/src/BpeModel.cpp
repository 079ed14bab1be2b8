// BPE model as HF tokenizers runs it: characters (or their <0xNN> byte pieces, or fused
// <unk>) merged pair by pair, lowest merge rank first, leftmost on ties.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>

#include "TokenModel.h"
#include "Utf8.h"
#include "studio/Errors.h"

namespace studio::tok {

namespace {

constexpr int64_t kMaxIdHoles = int64_t(1) << 20;

uint64_t pair_key(int64_t a, int64_t b) {
    return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
}

class BpeModel : public TokenModel {
public:
    explicit BpeModel(const nlohmann::json& j) {
        const auto& vocab = j.at("vocab");
        if (!vocab.is_object() || vocab.empty())
            throw TokenizerError("BPE vocab must be a non-empty {token: id} object");
        int64_t max_id = -1;
        for (const auto& [piece, id] : vocab.items()) {
            // Integers only: get<int64_t>() of a float past int64's range is undefined behaviour.
            if (!id.is_number_integer()) throw TokenizerError("BPE vocab id of '" + piece + "' is not an integer");
            max_id = std::max(max_id, id.get<int64_t>());
        }
        // Ids index a dense table: a few holes are normal (added tokens live elsewhere), a table far
        // larger than the vocab is not (a fuzz finding asked for 7 GB).
        const int64_t entries = static_cast<int64_t>(vocab.size());
        if (max_id >= entries + kMaxIdHoles)
            throw TokenizerError("BPE vocab ids are sparse: id " + std::to_string(max_id) + " for " +
                                 std::to_string(entries) + " entries");
        m_id_to_token.assign(static_cast<size_t>(max_id + 1), std::string());
        m_has_id.assign(m_id_to_token.size(), false);
        for (const auto& [piece, id_json] : vocab.items()) {
            const int64_t id = id_json.get<int64_t>();
            if (id < 0) throw TokenizerError("BPE vocab has a negative id for '" + piece + "'");
            m_id_to_token[static_cast<size_t>(id)] = piece;
            m_has_id[static_cast<size_t>(id)] = true;
        }
        m_vocab.reserve(vocab.size());
        for (size_t id = 0; id < m_id_to_token.size(); ++id)
            if (m_has_id[id]) m_vocab[m_id_to_token[id]] = static_cast<int64_t>(id);

        if (j.contains("unk_token") && !j.at("unk_token").is_null()) m_unk = j.at("unk_token").get<std::string>();
        m_fuse_unk = j.value("fuse_unk", false);
        m_byte_fallback = j.value("byte_fallback", false);
        m_ignore_merges = j.value("ignore_merges", false);
        if (j.contains("continuing_subword_prefix") && !j.at("continuing_subword_prefix").is_null())
            m_prefix = j.at("continuing_subword_prefix").get<std::string>();
        if (j.contains("end_of_word_suffix") && !j.at("end_of_word_suffix").is_null())
            m_suffix = j.at("end_of_word_suffix").get<std::string>();
        for (int b = 0; b < 256; ++b) {
            static const char* kHex = "0123456789ABCDEF";
            const auto it = m_vocab.find(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
            m_byte_ids[b] = it == m_vocab.end() ? -1 : it->second;
        }
        if (j.contains("merges")) load_merges(j.at("merges"));
    }

    void tokenize(std::string_view word, std::vector<int64_t>& out) const override {
        if (word.empty()) return;
        if (m_ignore_merges)
            if (const auto it = m_vocab.find(std::string(word)); it != m_vocab.end()) {
                out.push_back(it->second);
                return;
            }
        std::vector<int64_t> symbols = initial_symbols(word);
        merge_all(symbols);
        out.insert(out.end(), symbols.begin(), symbols.end());
    }

    int64_t size() const override { return static_cast<int64_t>(m_id_to_token.size()); }  // one past the largest id
    const std::string* id_to_token(int64_t id) const override {
        if (id < 0 || id >= static_cast<int64_t>(m_id_to_token.size()) || !m_has_id[static_cast<size_t>(id)])
            return nullptr;
        return &m_id_to_token[static_cast<size_t>(id)];
    }
    std::optional<int64_t> token_to_id(std::string_view token) const override {
        const auto it = m_vocab.find(std::string(token));
        return it == m_vocab.end() ? std::nullopt : std::optional<int64_t>(it->second);
    }
    std::string summary() const override {
        return std::to_string(m_vocab.size()) + " pieces, " + std::to_string(m_merges.size()) + " merges" +
               (m_byte_fallback ? ", byte fallback" : "");
    }

private:
    void load_merges(const nlohmann::json& merges) {
        m_merges.reserve(merges.size());
        int32_t rank = 0;
        for (const auto& m : merges) {
            std::string_view a, b;
            if (m.is_string()) {  // "a b"
                const std::string& s = m.get_ref<const std::string&>();
                const size_t sp = s.find(' ');
                if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                    throw TokenizerError("BPE merge '" + s + "' is not two tokens separated by a space");
                a = std::string_view(s).substr(0, sp);
                b = std::string_view(s).substr(sp + 1);
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {  // ["a", "b"]
                a = m[0].get_ref<const std::string&>();
                b = m[1].get_ref<const std::string&>();
            } else {
                throw TokenizerError("BPE merges must be \"a b\" strings or [a, b] pairs");
            }
            std::string merged(a);
            const auto ia = m_vocab.find(merged);
            const auto ib = m_vocab.find(std::string(b));
            // The right part loses its continuing-subword prefix in the merged token.
            merged.append(b.substr(std::min(m_prefix.size(), b.size())));
            const auto im = m_vocab.find(merged);
            if (ia == m_vocab.end() || ib == m_vocab.end() || im == m_vocab.end())
                throw TokenizerError("BPE merge '" + std::string(a) + " " + std::string(b) +
                                     "' uses a token outside the vocab");
            m_merges[pair_key(ia->second, ib->second)] = {rank++, im->second};  // a repeated pair keeps its last rank
        }
    }

    // One symbol per character; unknown characters become byte pieces or (fused) <unk>.
    std::vector<int64_t> initial_symbols(std::string_view w) const {
        std::vector<int64_t> symbols;
        int64_t pending_unk = -1;
        for (size_t i = 0; i < w.size();) {
            const size_t n = std::min(utf8_len_fast(static_cast<unsigned char>(w[i])), w.size() - i);
            std::string s(w.substr(i, n));
            if (i > 0 && !m_prefix.empty()) s = m_prefix + s;
            if (i + n == w.size() && !m_suffix.empty()) s += m_suffix;
            i += n;
            if (const auto it = m_vocab.find(s); it != m_vocab.end()) {
                if (pending_unk >= 0) symbols.push_back(pending_unk);
                pending_unk = -1;
                symbols.push_back(it->second);
                continue;
            }
            if (m_byte_fallback && std::all_of(s.begin(), s.end(), [&](char c) {
                    return m_byte_ids[static_cast<unsigned char>(c)] >= 0;
                })) {
                for (const char c : s) symbols.push_back(m_byte_ids[static_cast<unsigned char>(c)]);
                continue;
            }
            if (!m_unk) continue;  // HF drops characters it cannot represent
            const auto unk = m_vocab.find(*m_unk);
            if (unk == m_vocab.end()) throw TokenizerError("BPE unk_token '" + *m_unk + "' is not in the vocab");
            if (pending_unk >= 0 && !m_fuse_unk) symbols.push_back(pending_unk);
            pending_unk = unk->second;
        }
        if (pending_unk >= 0) symbols.push_back(pending_unk);
        return symbols;
    }

    struct Candidate {
        int32_t rank;
        size_t pos;
        int64_t new_id;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };

    void merge_all(std::vector<int64_t>& ids) const {
        const size_t n = ids.size();
        if (n < 2) return;
        std::vector<long> prev(n), next(n);
        std::vector<bool> alive(n, true);
        for (size_t i = 0; i < n; ++i) {
            prev[i] = static_cast<long>(i) - 1;
            next[i] = i + 1 < n ? static_cast<long>(i + 1) : -1;
        }
        std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
        const auto push = [&](size_t pos, size_t right) {
            if (const auto it = m_merges.find(pair_key(ids[pos], ids[right])); it != m_merges.end())
                queue.push({it->second.first, pos, it->second.second});
        };
        for (size_t i = 0; i + 1 < n; ++i) push(i, i + 1);
        while (!queue.empty()) {
            const Candidate top = queue.top();
            queue.pop();
            if (!alive[top.pos] || next[top.pos] < 0) continue;
            const auto right = static_cast<size_t>(next[top.pos]);
            // Skip entries made stale by an earlier merge.
            const auto it = m_merges.find(pair_key(ids[top.pos], ids[right]));
            if (it == m_merges.end() || it->second.second != top.new_id) continue;
            ids[top.pos] = top.new_id;
            alive[right] = false;
            next[top.pos] = next[right];
            if (next[right] >= 0) prev[static_cast<size_t>(next[right])] = static_cast<long>(top.pos);
            if (prev[top.pos] >= 0) push(static_cast<size_t>(prev[top.pos]), top.pos);
            if (next[top.pos] >= 0) push(top.pos, static_cast<size_t>(next[top.pos]));
        }
        size_t k = 0;
        for (size_t i = 0; i < n; ++i)
            if (alive[i]) ids[k++] = ids[i];
        ids.resize(k);
    }

    std::vector<std::string> m_id_to_token;
    std::vector<bool> m_has_id;
    std::unordered_map<std::string, int64_t> m_vocab;
    std::unordered_map<uint64_t, std::pair<int32_t, int64_t>> m_merges;  // (a, b) -> (rank, merged id)
    std::optional<std::string> m_unk;
    bool m_fuse_unk{false}, m_byte_fallback{false}, m_ignore_merges{false};
    std::string m_prefix, m_suffix;
    int64_t m_byte_ids[256];
};

}  // namespace

std::unique_ptr<TokenModel> make_bpe_model(const nlohmann::json& j) {
    return std::make_unique<BpeModel>(j);
}

}  // namespace studio::tok
