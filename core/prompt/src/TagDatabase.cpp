#include "studio/prompt/TagDatabase.h"

#include "TagCsv.h"
#include "TextUtil.h"
#include "studio/Errors.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace studio {

namespace fs = std::filesystem;
using namespace prompt_detail;

namespace {

constexpr const char* kDefaultFile = "danbooru_tags.csv";

std::string read_text_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw StudioError("cannot read the tag list '" + path.string() + "'");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// *.csv in a folder, the default list first, the rest by name.
std::vector<fs::path> csv_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file(ec) && entry.path().extension() == ".csv") files.push_back(entry.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        const bool da = a.filename() == kDefaultFile, db = b.filename() == kDefaultFile;
        return da != db ? da : a.filename() < b.filename();
    });
    return files;
}

fs::path executable_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::string normalize_tag(const std::string& tag) {
    const std::string t = trim(tag);
    std::string out;
    out.reserve(t.size());
    for (size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (c == '\\' && i + 1 < t.size() && (t[i + 1] == '(' || t[i + 1] == ')')) continue;  // \( -> (
        if (c == ' ') c = '_';
        else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out += c;
    }
    return out;
}

void TagDatabase::add(TagInfo info) {
    const std::string key = normalize_tag(info.tag);
    if (key.empty()) return;
    if (auto it = m_lookup.find(key); it != m_lookup.end()) {  // first entry wins; keep new aliases
        auto& aliases = m_tags[it->second].aliases;
        for (auto& alias : info.aliases)
            if (std::find(aliases.begin(), aliases.end(), alias) == aliases.end()) aliases.push_back(std::move(alias));
        return;
    }
    m_lookup.emplace(key, m_tags.size());
    m_keys.push_back(key);
    m_tags.push_back(std::move(info));
}

void TagDatabase::build_index() {
    for (size_t i = 0; i < m_tags.size(); ++i)
        for (const auto& alias : m_tags[i].aliases) m_lookup.emplace(normalize_tag(alias), i);  // tags win over aliases
    m_sorted_keys.assign(m_lookup.begin(), m_lookup.end());
    std::sort(m_sorted_keys.begin(), m_sorted_keys.end());
}

TagDatabase TagDatabase::parse_csv(const std::string& text, const std::string& source) {
    TagDatabase db;
    for (auto& row : read_tag_csv(text, source)) db.add(std::move(row));
    db.build_index();
    return db;
}

TagDatabase TagDatabase::load(const std::string& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return parse_csv(read_text_file(path), path);
    const auto files = csv_files(path);
    if (files.empty()) throw StudioError("no .csv tag list in '" + path + "'");
    TagDatabase db;
    for (const auto& file : files)
        for (auto& row : read_tag_csv(read_text_file(file), file.string())) db.add(std::move(row));
    db.build_index();
    return db;
}

TagDatabase TagDatabase::load_default() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("STUDIO_RESOURCES_DIR"); env && *env) candidates.push_back(fs::path(env) / "tags");
    if (const fs::path exe = executable_dir(); !exe.empty())
        candidates.push_back(exe / ".." / "share" / "precision-studio" / "tags");
#ifdef STUDIO_RESOURCES_SOURCE_DIR
    candidates.push_back(fs::path(STUDIO_RESOURCES_SOURCE_DIR) / "tags");
#endif
    std::string searched;
    for (const auto& dir : candidates) {
        if (!csv_files(dir).empty()) return load(dir.lexically_normal().string());
        searched += (searched.empty() ? "" : ", ") + dir.string();
    }
    throw StudioError("no tag list found; searched: " + searched);
}

const TagInfo* TagDatabase::find(const std::string& tag) const {
    auto it = m_lookup.find(normalize_tag(tag));
    return it == m_lookup.end() ? nullptr : &m_tags[it->second];
}

std::vector<const TagInfo*> TagDatabase::complete(const std::string& prefix, const std::string& field,
                                                  size_t limit) const {
    const std::string key = normalize_tag(prefix);
    // Match quality: 0 exact, 1 tag prefix, 2 alias prefix, 3 a later word of the tag.
    std::map<size_t, int> tier;
    auto offer = [&](size_t idx, int t) {
        auto [it, inserted] = tier.emplace(idx, t);
        if (!inserted) it->second = std::min(it->second, t);
    };
    if (key.empty()) {
        for (size_t i = 0; i < m_tags.size(); ++i) offer(i, 1);
    } else {
        auto it = std::lower_bound(m_sorted_keys.begin(), m_sorted_keys.end(), std::make_pair(key, size_t{0}));
        for (; it != m_sorted_keys.end() && it->first.compare(0, key.size(), key) == 0; ++it)
            offer(it->second, it->first == key ? 0 : (m_keys[it->second] == it->first ? 1 : 2));
        const std::string word = "_" + key;
        for (size_t i = 0; i < m_keys.size(); ++i)
            if (m_keys[i].find(word) != std::string::npos) offer(i, 3);
    }

    const auto& preferred = field_categories(field);
    auto suits = [&](size_t idx) {
        return std::find(preferred.begin(), preferred.end(), m_tags[idx].category) != preferred.end();
    };
    std::vector<std::pair<size_t, int>> ranked(tier.begin(), tier.end());
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
        const bool ea = a.second == 0, eb = b.second == 0;
        if (ea != eb) return ea;
        const bool sa = suits(a.first), sb = suits(b.first);
        if (sa != sb) return sa;
        if (a.second != b.second) return a.second < b.second;
        const TagInfo& ta = m_tags[a.first];
        const TagInfo& tb = m_tags[b.first];
        return ta.count != tb.count ? ta.count > tb.count : ta.tag < tb.tag;
    });
    if (limit > 0 && ranked.size() > limit) ranked.resize(limit);
    std::vector<const TagInfo*> out;
    out.reserve(ranked.size());
    for (const auto& [idx, t] : ranked) out.push_back(&m_tags[idx]);
    return out;
}

std::vector<std::string> TagDatabase::categories() const {
    std::set<std::string> names;
    for (const auto& t : m_tags) names.insert(t.category);
    return {names.begin(), names.end()};
}

bool TagDatabase::is_exclusive_category(const std::string& category) {
    return category == "hair_color" || category == "eye_color";
}

const std::vector<std::string>& TagDatabase::field_categories(const std::string& field) {
    static const std::map<std::string, std::vector<std::string>> table{
        {"n", {"character"}},
        {"gender", {"count"}},
        {"appearance", {"hair_color", "hair_style", "hair_pattern", "eye_color", "eye_pattern", "eyes", "body"}},
        {"body_type", {"body"}},
        {"clothing", {"clothing", "accessory"}},
        {"expression", {"expression"}},
        {"action", {"action", "pose"}},
        {"interaction", {"interaction", "action"}},
        {"position", {"position", "composition"}},
        {"count", {"count"}},
        {"style", {"style"}},
        {"background", {"background", "environment"}},
        {"environment", {"environment", "background"}},
        {"atmosphere", {"atmosphere", "lighting"}},
        {"lighting", {"lighting"}},
        {"perspective", {"composition"}},
        {"quality", {"quality"}},
        {"resolution", {"quality"}},
        {"objects", {"object"}},
        {"artists", {"artist"}},
        {"other", {"meta"}},
    };
    static const std::vector<std::string> none;
    auto it = table.find(field);
    return it == table.end() ? none : it->second;
}

}  // namespace studio
