#include "Normalizers.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "Pattern.h"
#include "Utf8.h"
#include "studio/Errors.h"
#include "studio/tokenizers/PrecompiledCharsmap.h"

namespace studio::tok {

namespace {

class SequenceNormalizer : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps) : m_steps(std::move(steps)) {}
    std::string normalize(std::string text) const override {
        for (const auto& s : m_steps) text = s->normalize(std::move(text));
        return text;
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_steps;
};

class PrecompiledNormalizer : public Normalizer {
public:
    explicit PrecompiledNormalizer(PrecompiledCharsmap map) : m_map(std::move(map)) {}
    std::string normalize(std::string text) const override {
        if (m_map.empty()) return text;
        // A malformed rule could end inside a character: keep the output valid UTF-8.
        return sanitize_utf8(m_map.normalize(text));
    }

private:
    PrecompiledCharsmap m_map;
};

class ReplaceNormalizer : public Normalizer {
public:
    ReplaceNormalizer(Pattern p, std::string content) : m_pattern(std::move(p)), m_content(std::move(content)) {}
    std::string normalize(std::string text) const override { return m_pattern.replace_all(text, m_content); }

private:
    Pattern m_pattern;
    std::string m_content;
};

class StripNormalizer : public Normalizer {
public:
    StripNormalizer(bool left, bool right) : m_left(left), m_right(right) {}
    std::string normalize(std::string text) const override {
        size_t b = 0, e = text.size();
        if (m_left) {
            while (b < e) {
                size_t n;
                if (!is_unicode_whitespace(utf8_decode(text, b, &n))) break;
                b += n;
            }
        }
        if (m_right) {
            while (e > b) {
                size_t s = e - 1;
                while (s > b && (static_cast<unsigned char>(text[s]) & 0xC0) == 0x80) --s;
                if (!is_unicode_whitespace(utf8_decode(text, s, nullptr))) break;
                e = s;
            }
        }
        return text.substr(b, e - b);
    }

private:
    bool m_left, m_right;
};

class PrependNormalizer : public Normalizer {
public:
    explicit PrependNormalizer(std::string prefix) : m_prefix(std::move(prefix)) {}
    std::string normalize(std::string text) const override { return text.empty() ? text : m_prefix + text; }

private:
    std::string m_prefix;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j) {
    if (j.is_null()) return nullptr;
    const auto type = j.at("type").get<std::string>();
    if (type == "Sequence") {
        std::vector<std::unique_ptr<Normalizer>> steps;
        for (const auto& s : j.at("normalizers"))
            if (auto n = make_normalizer(s)) steps.push_back(std::move(n));
        return std::make_unique<SequenceNormalizer>(std::move(steps));
    }
    if (type == "Precompiled") {
        const auto& map = j.at("precompiled_charsmap");
        if (map.is_null()) return std::make_unique<PrecompiledNormalizer>(PrecompiledCharsmap());
        return std::make_unique<PrecompiledNormalizer>(PrecompiledCharsmap::from_base64(map.get<std::string>()));
    }
    if (type == "Replace")
        return std::make_unique<ReplaceNormalizer>(Pattern::from_json(j.at("pattern")),
                                                   j.at("content").get<std::string>());
    if (type == "Strip")
        return std::make_unique<StripNormalizer>(j.value("strip_left", false), j.value("strip_right", false));
    if (type == "Prepend") return std::make_unique<PrependNormalizer>(j.at("prepend").get<std::string>());
    throw TokenizerError("unsupported normalizer type '" + type + "'");
}

}  // namespace studio::tok
