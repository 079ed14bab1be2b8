#pragma once
// A Danbooru-style tag list (tag, category, popularity, aliases) for lint and completion.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace studio {

struct TagInfo {
    std::string tag;       // as written in the list, e.g. "blue_hair"
    std::string category;  // "hair_color", "clothing", ... (numeric Danbooru types are named)
    int64_t count{0};      // popularity; higher ranks first
    std::vector<std::string> aliases;
};

// Lookup key of a tag: lower case, spaces as underscores, "\(" "\)" unescaped, trimmed.
std::string normalize_tag(const std::string& tag);

class TagDatabase {
public:
    TagDatabase() = default;

    // A CSV file with columns tag,category,count,aliases (aliases quoted and comma- or
    // '|'-separated; a header line and '#' comments are skipped), or a folder whose *.csv
    // files are merged in name order (the first entry of a tag wins). Throws StudioError.
    static TagDatabase load(const std::string& path);
    // The same from CSV text; `source` names it in error messages.
    static TagDatabase parse_csv(const std::string& text, const std::string& source = "<memory>");
    // resources/tags/ from env STUDIO_RESOURCES_DIR, <exe>/../share/precision-studio, or the
    // source tree. Throws StudioError listing the places searched.
    static TagDatabase load_default();

    const TagInfo* find(const std::string& tag) const;  // exact tag or alias, normalised

    // Tags starting with `prefix` (or with an alias that does; then tags with a word starting
    // with it), ranked: exact match, categories that suit `field`, then count. limit 0 = all.
    // An empty prefix lists the most used tags for the field.
    std::vector<const TagInfo*> complete(const std::string& prefix, const std::string& field = {},
                                         size_t limit = 20) const;

    std::vector<std::string> categories() const;  // sorted
    size_t size() const { return m_tags.size(); }

    // Categories where one character should have at most one tag (hair_color, eye_color).
    static bool is_exclusive_category(const std::string& category);
    // Categories that suit a field; used to rank completions (empty for unknown fields).
    static const std::vector<std::string>& field_categories(const std::string& field);

private:
    void add(TagInfo info);
    void build_index();

    std::vector<TagInfo> m_tags;
    std::vector<std::string> m_keys;                             // normalised tag names
    std::unordered_map<std::string, size_t> m_lookup;           // normalised tag/alias -> tag
    std::vector<std::pair<std::string, size_t>> m_sorted_keys;  // for prefix ranges
};

}  // namespace studio
