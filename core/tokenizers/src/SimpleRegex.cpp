#include "SimpleRegex.h"

#include <algorithm>
#include <limits>

#include "Utf8.h"
#include "studio/Errors.h"

namespace studio::tok {

namespace {

constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();

bool class_matches(char cls, char32_t c) {
    switch (cls) {
        case 's':
            return is_unicode_whitespace(c);
        case 'S':
            return !is_unicode_whitespace(c);
        case 'd':
            return c >= '0' && c <= '9';
        case 'D':
            return !(c >= '0' && c <= '9');
        case 'w':
            return is_word_char(c);
        default:
            return !is_word_char(c);  // 'W'
    }
}

// Parses the pattern left to right; every failure names the pattern.
class Parser {
public:
    explicit Parser(std::string_view p) : m_p(p) {}

    bool done() const { return m_i >= m_p.size(); }
    char peek() const { return m_p[m_i]; }

    char32_t next_char() {
        const size_t n = utf8_char_len(m_p, m_i);
        if (n == 0) fail("is not valid UTF-8");
        size_t len;
        const char32_t c = utf8_decode(m_p, m_i, &len);
        m_i += len;
        return c;
    }

    // After a backslash: a class letter (returned in *cls) or a literal code point.
    char32_t escape(char* cls) {
        if (done()) fail("ends with a backslash");
        const char32_t c = next_char();
        *cls = 0;
        switch (c) {
            case 's':
            case 'S':
            case 'd':
            case 'D':
            case 'w':
            case 'W':
                *cls = static_cast<char>(c);
                return 0;
            case 'n':
                return '\n';
            case 't':
                return '\t';
            case 'r':
                return '\r';
            case 'f':
                return '\f';
            case 'v':
                return '\v';
            default:
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                    fail("uses the unsupported escape \\" + std::string(1, static_cast<char>(c)));
                return c;  // escaped punctuation stands for itself
        }
    }

    uint32_t number() {
        uint64_t v = 0;
        const size_t start = m_i;
        while (!done() && peek() >= '0' && peek() <= '9') {
            v = v * 10 + static_cast<uint64_t>(peek() - '0');
            if (v > 100000) fail("has a repeat count that is too large");
            ++m_i;
        }
        if (m_i == start) fail("has a malformed {n,m} quantifier");
        return static_cast<uint32_t>(v);
    }

    void expect(char c) {
        if (done() || peek() != c) fail(std::string("expects '") + c + "'");
        ++m_i;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw TokenizerError("unsupported regex pattern '" + std::string(m_p) + "': it " + what);
    }

    size_t m_i{0};

private:
    std::string_view m_p;
};

}  // namespace

bool SimpleRegex::Atom::matches(char32_t c) const {
    if (kind == Kind::Any) return c != '\n';
    bool hit = false;
    for (const auto& [lo, hi] : ranges) hit = hit || (c >= lo && c <= hi);
    for (const char cls : classes) hit = hit || class_matches(cls, c);
    return hit != negated;
}

SimpleRegex::SimpleRegex(std::string_view pattern) : m_pattern(pattern) {
    Parser p(pattern);
    while (!p.done()) {
        Atom atom;
        const char c = p.peek();
        if (c == '(' || c == ')' || c == '|' || c == '^' || c == '$') p.fail(std::string("uses '") + c + "'");
        if (c == '*' || c == '+' || c == '?' || c == '{') p.fail("has a quantifier with nothing to repeat");
        if (c == '.') {
            ++p.m_i;
            atom.kind = Atom::Kind::Any;
        } else if (c == '[') {
            ++p.m_i;
            if (!p.done() && p.peek() == '^') {
                atom.negated = true;
                ++p.m_i;
            }
            bool first = true;
            while (true) {
                if (p.done()) p.fail("has an unterminated [...] class");
                if (p.peek() == ']' && !first) {
                    ++p.m_i;
                    break;
                }
                first = false;
                char cls = 0;
                char32_t lo = p.peek() == '\\' ? (++p.m_i, p.escape(&cls)) : p.next_char();
                if (cls) {
                    atom.classes.push_back(cls);
                    continue;
                }
                char32_t hi = lo;
                if (!p.done() && p.peek() == '-' && p.m_i + 1 < pattern.size() && pattern[p.m_i + 1] != ']') {
                    ++p.m_i;
                    hi = p.peek() == '\\' ? (++p.m_i, p.escape(&cls)) : p.next_char();
                    if (cls || hi < lo) p.fail("has an invalid range in a [...] class");
                }
                atom.ranges.emplace_back(lo, hi);
            }
        } else if (c == '\\') {
            ++p.m_i;
            char cls = 0;
            const char32_t lit = p.escape(&cls);
            if (cls)
                atom.classes.push_back(cls);
            else
                atom.ranges.emplace_back(lit, lit);
        } else {
            const char32_t lit = p.next_char();
            atom.ranges.emplace_back(lit, lit);
        }
        // Quantifier.
        if (!p.done()) {
            const char q = p.peek();
            if (q == '?' || q == '*' || q == '+') {
                ++p.m_i;
                atom.min = q == '+' ? 1 : 0;
                atom.max = q == '?' ? 1 : kUnbounded;
            } else if (q == '{') {
                ++p.m_i;
                atom.min = atom.max = p.number();
                if (!p.done() && p.peek() == ',') {
                    ++p.m_i;
                    atom.max = !p.done() && p.peek() == '}' ? kUnbounded : p.number();
                }
                p.expect('}');
                if (atom.max < atom.min) p.fail("has {n,m} with m < n");
            }
            if (!p.done() && (p.peek() == '?' || p.peek() == '+' || p.peek() == '*' || p.peek() == '{'))
                p.fail("uses lazy, possessive or stacked quantifiers");
        }
        m_atoms.push_back(std::move(atom));
    }
    if (m_atoms.empty()) p.fail("is empty");
}

bool SimpleRegex::match_at(size_t atom_index, std::string_view s, size_t pos, size_t* end) const {
    if (atom_index == m_atoms.size()) {
        *end = pos;
        return true;
    }
    const Atom& a = m_atoms[atom_index];
    // Greedy: take as many repetitions as possible, then give them back one at a time.
    std::vector<size_t> stops{pos};
    for (size_t p = pos; stops.size() - 1 < a.max && p < s.size();) {
        size_t len;
        const char32_t c = utf8_decode(s, p, &len);
        if (!a.matches(c)) break;
        p += len;
        stops.push_back(p);
    }
    for (size_t k = stops.size(); k-- > a.min;)
        if (match_at(atom_index + 1, s, stops[k], end)) return true;
    return false;
}

std::vector<std::pair<size_t, size_t>> SimpleRegex::find_all(std::string_view s) const {
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t start = 0; start < s.size();) {
        size_t end = start;
        if (match_at(0, s, start, &end) && end > start) {
            out.emplace_back(start, end);
            start = end;
        } else {
            start += std::min(utf8_len_fast(static_cast<unsigned char>(s[start])), s.size() - start);
        }
    }
    return out;
}

}  // namespace studio::tok
