#pragma once
// Loaded models, kept between runs and keyed by (component, folder, precision, device), so
// switching between configuration A and B reloads nothing. A small per-kind capacity bounds
// memory: the least recently used entry of a kind is dropped first.
#include <chrono>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace studio {

class ModelCache {
public:
    explicit ModelCache(size_t capacity_per_kind = 2) : m_capacity(capacity_per_kind) {}

    template <typename T>
    std::shared_ptr<T> get_or_load(const std::string& kind, const std::string& key, const std::function<std::shared_ptr<T>()>& load,
                                   bool* hit = nullptr) {
        const std::string full = kind + "|" + key;
        if (auto it = m_entries.find(full); it != m_entries.end()) {
            it->second.last_use = ++m_clock;
            if (hit) *hit = true;
            return std::static_pointer_cast<T>(it->second.object);
        }
        if (hit) *hit = false;
        evict_for(kind);
        auto object = load();
        m_entries[full] = Entry{kind, object, ++m_clock};
        return object;
    }

    void release_all() { m_entries.clear(); }
    // Drops every entry of `kind` (the text encoders after encoding, under the release policy).
    void release_kind(const std::string& kind) {
        erase_if([&](const std::string&, const Entry& e) { return e.kind == kind; });
    }
    // Drops the entries of `kind` whose key lacks `key_part` (resident models when streamed ones load).
    void release_kind_except(const std::string& kind, const std::string& key_part) {
        erase_if([&](const std::string& key, const Entry& e) { return e.kind == kind && key.find(key_part) == std::string::npos; });
    }
    // Drops the entries of `kind` whose key has `key_part` (streamed models when resident ones load).
    void release_kind_with(const std::string& kind, const std::string& key_part) {
        erase_if([&](const std::string& key, const Entry& e) { return e.kind == kind && key.find(key_part) != std::string::npos; });
    }
    size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        std::string kind;
        std::shared_ptr<void> object;
        uint64_t last_use{0};
    };

    template <typename Pred>
    void erase_if(Pred pred) {
        for (auto it = m_entries.begin(); it != m_entries.end();) it = pred(it->first, it->second) ? m_entries.erase(it) : std::next(it);
    }

    void evict_for(const std::string& kind) {
        size_t count = 0;
        for (const auto& [k, e] : m_entries) count += e.kind == kind;
        while (count >= m_capacity && count > 0) {
            auto oldest = m_entries.end();
            for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
                if (it->second.kind == kind && (oldest == m_entries.end() || it->second.last_use < oldest->second.last_use))
                    oldest = it;
            m_entries.erase(oldest);
            --count;
        }
    }

    size_t m_capacity;
    uint64_t m_clock{0};
    std::map<std::string, Entry> m_entries;
};

}  // namespace studio
