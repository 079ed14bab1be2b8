#include "PngText.h"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "studio/Errors.h"
#include "studio/ImageIO.h"

namespace studio::png {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
constexpr uint32_t kMaxChunk = 0x7FFFFFFF;        // the PNG limit for a chunk length
constexpr size_t kMaxInflated = size_t(256) << 20;  // refuse zlib bombs in text chunks

uint32_t read_be32(const unsigned char* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

void append_be32(std::vector<unsigned char>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

uint32_t chunk_crc(const char* type, const unsigned char* data, size_t size) {
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(type), 4);
    // zlib's crc32 takes a uInt length; feed large chunks in pieces.
    for (size_t done = 0; done < size;) {
        const uInt n = static_cast<uInt>(std::min<size_t>(size - done, 1u << 30));
        crc = crc32(crc, data + done, n);
        done += n;
    }
    return static_cast<uint32_t>(crc);
}

void append_chunk(std::vector<unsigned char>& out, const char* type, const std::string& data) {
    if (data.size() > kMaxChunk) throw ExportError(std::string("PNG ") + type + " chunk too large");
    append_be32(out, static_cast<uint32_t>(data.size()));
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    append_be32(out, chunk_crc(type, reinterpret_cast<const unsigned char*>(data.data()), data.size()));
}

bool is_ascii(const std::string& s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

bool is_valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = s[i];
        const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || i + extra >= s.size()) return false;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += extra + 1;
    }
    return true;
}

// tEXt/zTXt are Latin-1 by the standard, but many tools put UTF-8 there: keep valid UTF-8.
std::string latin1_to_utf8(const std::string& s) {
    if (is_valid_utf8(s)) return s;
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string inflate_text(const std::string& data, const std::string& path) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) throw ImageReadError("zlib initialisation failed", path);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[65536];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof(buf);
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof(buf) - zs.avail_out);
        if (out.size() > kMaxInflated) rc = Z_MEM_ERROR;
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) throw ImageReadError("corrupt compressed text chunk", path);
    return out;
}

struct TextEntry {
    int priority{0};
    std::string value;
};

// Parses one text chunk into (keyword, entry); returns false for a malformed chunk.
bool parse_text_chunk(const std::string& type, const std::string& data, const std::string& path,
                      std::string& key, TextEntry& entry) {
    const size_t nul = data.find('\0');
    if (nul == std::string::npos || nul == 0 || nul > 79) return false;
    key = data.substr(0, nul);
    if (type == "tEXt") {
        entry = {1, latin1_to_utf8(data.substr(nul + 1))};
    } else if (type == "zTXt") {
        if (nul + 1 >= data.size() || data[nul + 1] != 0) return false;
        entry = {2, latin1_to_utf8(inflate_text(data.substr(nul + 2), path))};
    } else {  // iTXt: flag, method, language\0, translated keyword\0, text
        if (nul + 3 > data.size()) return false;
        const bool compressed = data[nul + 1] != 0;
        const size_t lang_end = data.find('\0', nul + 3);
        const size_t trans_end = lang_end == std::string::npos ? lang_end : data.find('\0', lang_end + 1);
        if (trans_end == std::string::npos) return false;
        const std::string text = data.substr(trans_end + 1);
        entry = {3, compressed ? inflate_text(text, path) : text};
    }
    return true;
}

}  // namespace

bool has_signature(const std::vector<unsigned char>& bytes) {
    return bytes.size() >= 8 && std::memcmp(bytes.data(), kSignature, 8) == 0;
}

bool file_has_signature(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char sig[8];
    return in.read(reinterpret_cast<char*>(sig), 8) && std::memcmp(sig, kSignature, 8) == 0;
}

void validate_keyword(const std::string& key) {
    bool ok = !key.empty() && key.size() <= 79 && key.front() != ' ' && key.back() != ' ' &&
              key.find("  ") == std::string::npos;
    for (unsigned char c : key) ok = ok && c >= 0x20 && c <= 0x7E;
    if (!ok)
        throw ExportError("metadata key '" + key +
                          "' is not a valid PNG keyword (1-79 printable ASCII characters, no leading, "
                          "trailing or doubled spaces)");
}

std::vector<unsigned char> insert_text_chunks(const std::vector<unsigned char>& png,
                                              const std::map<std::string, std::string>& text) {
    if (!has_signature(png)) throw ExportError("the PNG encoder produced no PNG signature");
    size_t pos = 8, insert_at = 0;
    while (pos + 12 <= png.size()) {
        const uint32_t length = read_be32(&png[pos]);
        const std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
        if (length > kMaxChunk || pos + 12 + length > png.size()) break;
        if (type == "IDAT" || type == "IEND") {
            insert_at = pos;
            break;
        }
        pos += 12 + length;
    }
    if (insert_at == 0) throw ExportError("the PNG encoder produced a malformed file (no IDAT)");

    std::vector<unsigned char> chunks;
    for (const auto& [key, value] : text) {
        validate_keyword(key);
        // One chunk per entry. A pure-ASCII "parameters" goes into tEXt, where A1111-style readers
        // (and every PNG reader) look first; everything else into iTXt for exact UTF-8.
        if (key == "parameters" && is_ascii(value))
            append_chunk(chunks, "tEXt", key + '\0' + value);
        else  // keyword \0, compression flag 0, method 0, empty language \0, empty translated keyword \0
            append_chunk(chunks, "iTXt", key + std::string("\0\0\0\0\0", 5) + value);
    }
    std::vector<unsigned char> out;
    out.reserve(png.size() + chunks.size());
    out.insert(out.end(), png.begin(), png.begin() + static_cast<std::ptrdiff_t>(insert_at));
    out.insert(out.end(), chunks.begin(), chunks.end());
    out.insert(out.end(), png.begin() + static_cast<std::ptrdiff_t>(insert_at), png.end());
    return out;
}

std::map<std::string, std::string> read_text_chunks(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw ImageReadError("cannot open the file", path);
    const auto file_size = static_cast<uint64_t>(in.tellg());
    in.seekg(0);
    unsigned char head[8];
    if (!in.read(reinterpret_cast<char*>(head), 8) || std::memcmp(head, kSignature, 8) != 0)
        throw ImageReadError("not a PNG file", path);

    std::map<std::string, TextEntry> found;
    uint64_t pos = 8;
    bool saw_iend = false;
    while (!saw_iend) {
        if (!in.read(reinterpret_cast<char*>(head), 8))
            throw ImageReadError("truncated PNG: no IEND chunk", path);
        const uint32_t length = read_be32(head);
        const std::string type(reinterpret_cast<const char*>(head + 4), 4);
        if (length > kMaxChunk || pos + 12 + length > file_size)
            throw ImageReadError("truncated or corrupt PNG chunk '" + type + "' at byte " + std::to_string(pos),
                                 path);
        if (type == "tEXt" || type == "zTXt" || type == "iTXt") {
            std::string data(length, '\0');
            unsigned char crc[4];
            in.read(data.data(), length);
            in.read(reinterpret_cast<char*>(crc), 4);
            std::string key;
            TextEntry entry;
            if (read_be32(crc) != chunk_crc(type.c_str(), reinterpret_cast<const unsigned char*>(data.data()), length))
                spdlog::warn("{}: skipping {} chunk with a bad CRC at byte {}", path, type, pos);
            else if (!parse_text_chunk(type, data, path, key, entry))
                spdlog::warn("{}: skipping malformed {} chunk at byte {}", path, type, pos);
            else if (auto it = found.find(key); it == found.end() || entry.priority >= it->second.priority)
                found[key] = std::move(entry);
        } else {
            in.seekg(static_cast<std::streamoff>(length) + 4, std::ios::cur);
        }
        saw_iend = type == "IEND";
        pos += 12 + uint64_t(length);
    }
    std::map<std::string, std::string> text;
    for (auto& [key, entry] : found) text[key] = std::move(entry.value);
    return text;
}

}  // namespace studio::png
