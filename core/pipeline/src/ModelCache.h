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
        for (auto it = m_entries.begin(); it != m_entries.end();) it = it->second.kind == kind ? m_entries.erase(it) : std::next(it);
    }
    // Drops the entries of `kind` whose key lacks `key_part` (resident models when streamed ones load).
    void release_kind_except(const std::string& kind, const std::string& key_part) {
        for (auto it = m_entries.begin(); it != m_entries.end();)
            it = it->second.kind == kind && it->first.find(key_part) == std::string::npos ? m_entries.erase(it) : std::next(it);
    }
    // Drops the entries of `kind` whose key has `key_part` (streamed models when resident ones load).
    void release_kind_with(const std::string& kind, const std::string& key_part) {
        for (auto it = m_entries.begin(); it != m_entries.end();)
            it = it->second.kind == kind && it->first.find(key_part) != std::string::npos ? m_entries.erase(it) : std::next(it);
    }
    size_t size() const { return m_entries.size(); }
    // Every cached object of `kind` (to move them between devices without a key).
    template <typename T>
    std::vector<std::shared_ptr<T>> all_of(const std::string& kind) const {
        std::vector<std::shared_ptr<T>> out;
        for (const auto& [k, e] : m_entries)
            if (e.kind == kind) out.push_back(std::static_pointer_cast<T>(e.object));
        return out;
    }

private:
    struct Entry {
        std::string kind;
        std::shared_ptr<void> object;
        uint64_t last_use{0};
    };

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
