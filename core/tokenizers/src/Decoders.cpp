#include "Decoders.h"

#include <nlohmann/json.hpp>

#include "Utf8.h"
#include "studio/Errors.h"

namespace studio::tok {

namespace {

const std::string kMetaspace = "\xE2\x96\x81";

class SequenceDecoder : public Decoder {
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : m_steps(std::move(steps)) {}
    void apply(std::vector<std::string>& tokens) const override {
        for (const auto& s : m_steps) s->apply(tokens);
    }

private:
    std::vector<std::unique_ptr<Decoder>> m_steps;
};

// Every replacement becomes a space, except in the first token where it was prepended.
class MetaspaceDecoder : public Decoder {
public:
    MetaspaceDecoder(std::string rep, bool strip_first) : m_rep(std::move(rep)), m_strip_first(strip_first) {}
    void apply(std::vector<std::string>& tokens) const override {
        for (size_t i = 0; i < tokens.size(); ++i) replace_all(tokens[i], m_rep, i == 0 && m_strip_first ? "" : " ");
    }

private:
    std::string m_rep;
    bool m_strip_first;
};

class ReplaceDecoder : public Decoder {
public:
    ReplaceDecoder(std::string from, std::string to) : m_from(std::move(from)), m_to(std::move(to)) {}
    void apply(std::vector<std::string>& tokens) const override {
        for (auto& t : tokens) replace_all(t, m_from, m_to);
    }

private:
    std::string m_from, m_to;
};

// Runs of <0xNN> pieces become their bytes when those form valid UTF-8, else one U+FFFD each.
class ByteFallbackDecoder : public Decoder {
public:
    void apply(std::vector<std::string>& tokens) const override {
        std::vector<std::string> out;
        std::string bytes;
        const auto flush = [&] {
            if (bytes.empty()) return;
            if (sanitize_utf8(bytes) == bytes)
                out.push_back(bytes);
            else
                for (size_t i = 0; i < bytes.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
            bytes.clear();
        };
        for (auto& t : tokens) {
            int byte = parse_byte(t);
            if (byte >= 0) {
                bytes.push_back(static_cast<char>(byte));
                continue;
            }
            flush();
            out.push_back(std::move(t));
        }
        flush();
        tokens.swap(out);
    }

    static int parse_byte(const std::string& t) {
        if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
        int v = 0;
        for (int i = 3; i < 5; ++i) {
            const char c = t[i];
            const int d = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }
};

class FuseDecoder : public Decoder {
public:
    void apply(std::vector<std::string>& tokens) const override {
        std::string all;
        for (const auto& t : tokens) all += t;
        tokens.assign(1, all);
    }
};

class StripDecoder : public Decoder {
public:
    StripDecoder(std::string content, size_t start, size_t stop)
        : m_content(std::move(content)), m_start(start), m_stop(stop) {}
    void apply(std::vector<std::string>& tokens) const override {
        if (m_content.empty()) return;
        const size_t n = m_content.size();
        for (auto& t : tokens) {
            for (size_t k = 0; k < m_start && t.compare(0, n, m_content) == 0; ++k) t.erase(0, n);
            for (size_t k = 0; k < m_stop && t.size() >= n && t.compare(t.size() - n, n, m_content) == 0; ++k)
                t.erase(t.size() - n);
        }
    }

private:
    std::string m_content;
    size_t m_start, m_stop;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j) {
    if (j.is_null()) return nullptr;
    const auto type = j.at("type").get<std::string>();
    if (type == "Sequence") {
        std::vector<std::unique_ptr<Decoder>> steps;
        for (const auto& s : j.at("decoders")) {
            auto d = make_decoder(s);
            if (!d) return nullptr;  // one unsupported step: the whole chain falls back
            steps.push_back(std::move(d));
        }
        return std::make_unique<SequenceDecoder>(std::move(steps));
    }
    if (type == "Metaspace") {
        bool strip_first = j.value("add_prefix_space", true);
        if (j.contains("prepend_scheme")) strip_first = j.at("prepend_scheme").get<std::string>() != "never";
        return std::make_unique<MetaspaceDecoder>(j.value("replacement", kMetaspace), strip_first);
    }
    if (type == "Replace") {
        const auto& p = j.at("pattern");
        if (!p.contains("String")) return nullptr;
        return std::make_unique<ReplaceDecoder>(p.at("String").get<std::string>(), j.at("content").get<std::string>());
    }
    if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
    if (type == "Fuse") return std::make_unique<FuseDecoder>();
    if (type == "Strip")
        return std::make_unique<StripDecoder>(j.at("content").get<std::string>(), j.value("start", size_t{0}),
                                              j.value("stop", size_t{0}));
    return nullptr;
}

std::unique_ptr<Decoder> make_default_decoder() {
    std::vector<std::unique_ptr<Decoder>> steps;
    steps.push_back(std::make_unique<ByteFallbackDecoder>());
    steps.push_back(std::make_unique<ReplaceDecoder>(kMetaspace, " "));
    return std::make_unique<SequenceDecoder>(std::move(steps));
}

}  // namespace studio::tok
