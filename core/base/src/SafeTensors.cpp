#include "studio/SafeTensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "studio/Errors.h"

namespace studio {

class MappedFile {
public:
    explicit MappedFile(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw ModelLoadError(std::string("cannot open: ") + std::strerror(errno), path);
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            const bool dir = S_ISDIR(st.st_mode);
            ::close(fd);
            throw ModelLoadError(dir ? "is a folder, not a safetensors file" : "not a regular file", path);
        }
        m_size = static_cast<uint64_t>(st.st_size);
        if (m_size > 0) {
            // Private + NORESERVE: copy-on-write pages, so files larger than RAM map fine
            // and an accidental in-place write never reaches the file.
            void* p = ::mmap(nullptr, m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
            if (p == MAP_FAILED) {
                const int err = errno;
                ::close(fd);
                throw ModelLoadError(std::string("mmap failed: ") + std::strerror(err), path);
            }
            m_data = static_cast<std::byte*>(p);
        }
        ::close(fd);
    }
    ~MappedFile() {
        if (m_data) ::munmap(m_data, m_size);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    const std::byte* data() const { return m_data; }
    uint64_t size() const { return m_size; }

private:
    std::byte* m_data{nullptr};
    uint64_t m_size{0};
};

namespace {
const std::map<std::string, StDType>& dtype_names() {
    static const std::map<std::string, StDType> names{
        {"F64", StDType::F64}, {"F32", StDType::F32},   {"F16", StDType::F16},         {"BF16", StDType::BF16},
        {"I64", StDType::I64}, {"I32", StDType::I32},   {"I16", StDType::I16},         {"I8", StDType::I8},
        {"U8", StDType::U8},   {"BOOL", StDType::BOOL}, {"U16", StDType::U16},         {"U32", StDType::U32},
        {"U64", StDType::U64}, {"F8_E4M3", StDType::F8_E4M3}, {"F8_E5M2", StDType::F8_E5M2}};
    return names;
}
constexpr uint64_t kMaxHeader = 100ull * 1024 * 1024;
}  // namespace

std::string to_string(StDType d) {
    for (const auto& [name, value] : dtype_names())
        if (value == d) return name;
    return "?";
}

size_t element_size(StDType d) {
    switch (d) {
        case StDType::F64: case StDType::I64: case StDType::U64: return 8;
        case StDType::F32: case StDType::I32: case StDType::U32: return 4;
        case StDType::F16: case StDType::BF16: case StDType::I16: case StDType::U16: return 2;
        default: return 1;
    }
}

int64_t SafeTensorEntry::numel() const {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;  // open() has checked that this cannot overflow
    return n;
}

namespace {
// Element count and byte size of a shape, or false when either overflows 63 bits: a hostile
// header must not wrap [2^32, 2^32] around to 0 elements.
bool checked_byte_size(const std::vector<int64_t>& shape, size_t element_bytes, uint64_t& bytes) {
    int64_t n = 1;
    for (int64_t s : shape)
        if (s < 0 || __builtin_mul_overflow(n, s, &n)) return false;
    int64_t b = 0;
    if (__builtin_mul_overflow(n, static_cast<int64_t>(element_bytes), &b)) return false;
    bytes = static_cast<uint64_t>(b);
    return true;
}

void read_metadata(const nlohmann::json& m, std::map<std::string, std::string>& out, const std::string& path) {
    // The format defines __metadata__ as a string -> string map; anything else is a broken writer.
    if (!m.is_object()) throw ModelLoadError("__metadata__ is not a JSON object (the format says string -> string)", path);
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (!it->is_string())
            throw ModelLoadError("__metadata__ value of '" + it.key() + "' has JSON type " + it->type_name() +
                                     ", not string (the format says string -> string)",
                                 path);
        out[it.key()] = it->get<std::string>();
    }
}
}  // namespace

std::shared_ptr<SafeTensorFile> SafeTensorFile::open(const std::string& path) {
    auto file = std::shared_ptr<SafeTensorFile>(new SafeTensorFile());
    file->m_path = path;
    file->m_map = std::make_shared<MappedFile>(path);
    const auto& map = *file->m_map;
    if (map.size() < 8) throw ModelLoadError("file too small to be safetensors (" + std::to_string(map.size()) + " bytes)", path);
    uint64_t header_len = 0;
    std::memcpy(&header_len, map.data(), 8);  // little-endian on every supported platform
    if (header_len == 0 || header_len > kMaxHeader)
        throw ModelLoadError("implausible header length " + std::to_string(header_len), path);
    if (8 + header_len > map.size())
        throw ModelLoadError("header length " + std::to_string(header_len) + " runs past the end of the file (" +
                                 std::to_string(map.size()) + " bytes): truncated file?",
                             path);
    file->m_data_offset = 8 + header_len;
    const uint64_t data_size = map.size() - file->m_data_offset;

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(reinterpret_cast<const char*>(map.data()) + 8,
                                       reinterpret_cast<const char*>(map.data()) + 8 + header_len);
    } catch (const std::exception& e) {
        throw ModelLoadError(std::string("header is not valid JSON: ") + e.what(), path);
    }
    if (!header.is_object()) throw ModelLoadError("header is not a JSON object", path);

    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            read_metadata(*it, file->m_metadata, path);
            continue;
        }
        const auto& v = *it;
        SafeTensorEntry e;
        e.name = it.key();
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            throw ModelLoadError("entry lacks dtype/shape/data_offsets", path, e.name);
        if (!v["dtype"].is_string()) throw ModelLoadError("dtype is not a string", path, e.name);
        const auto dt = dtype_names().find(v["dtype"].get<std::string>());
        if (dt == dtype_names().end())
            throw ModelLoadError("unknown dtype '" + v["dtype"].get<std::string>() + "'", path, e.name);
        e.dtype = dt->second;
        if (!v["shape"].is_array()) throw ModelLoadError("shape is not an array", path, e.name);
        for (const auto& s : v["shape"]) {
            if (!s.is_number_integer() || (s.is_number_unsigned() && s.get<uint64_t>() > uint64_t(INT64_MAX)) ||
                s.get<int64_t>() < 0)
                throw ModelLoadError("shape entry " + s.dump() + " is not a non-negative integer", path, e.name);
            e.shape.push_back(s.get<int64_t>());
        }
        if (e.shape.size() > 16) throw ModelLoadError("shape has " + std::to_string(e.shape.size()) + " dimensions", path, e.name);
        const auto& off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw ModelLoadError("data_offsets must be two non-negative integers", path, e.name);
        e.begin = off[0].get<uint64_t>();
        e.end = off[1].get<uint64_t>();
        if (e.end < e.begin) throw ModelLoadError("data_offsets end before they begin", path, e.name);
        if (e.end > data_size)
            throw ModelLoadError("data range [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                     ") lies outside the data section (" + std::to_string(data_size) + " bytes)",
                                 path, e.name);
        uint64_t expected = 0;
        if (!checked_byte_size(e.shape, element_size(e.dtype), expected))
            throw ModelLoadError("shape " + v["shape"].dump() + " overflows the element count (" + v["shape"].dump() +
                                     " x " + std::to_string(element_size(e.dtype)) + " bytes does not fit 63 bits)",
                                 path, e.name);
        if (expected != e.end - e.begin)
            throw ModelLoadError("shape x element size = " + std::to_string(expected) + " bytes but the data range holds " +
                                     std::to_string(e.end - e.begin),
                                 path, e.name);
        file->m_entries.push_back(std::move(e));
    }
    // Ranges must not overlap.
    std::vector<const SafeTensorEntry*> sorted;
    for (const auto& e : file->m_entries) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    const SafeTensorEntry* reach = nullptr;  // the tensor whose range ends furthest so far
    for (const auto* e : sorted) {
        if (e->end == e->begin) continue;  // empty tensors own no bytes
        if (reach && e->begin < reach->end)
            throw ModelLoadError("data range overlaps tensor '" + reach->name + "'", path, e->name);
        if (!reach || e->end > reach->end) reach = e;
    }
    for (size_t i = 0; i < file->m_entries.size(); ++i) file->m_index[file->m_entries[i].name] = i;
    return file;
}

const SafeTensorEntry* SafeTensorFile::find(const std::string& name) const {
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

const std::byte* SafeTensorFile::data(const SafeTensorEntry& e) const { return m_map->data() + m_data_offset + e.begin; }

uint64_t SafeTensorFile::file_size() const { return m_map->size(); }

void write_safetensors(const std::string& path, const std::vector<SafeTensorBlob>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        header[t.name] = {{"dtype", to_string(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) text.push_back(' ');  // keep the data section 8-byte aligned
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExportError("cannot write '" + tmp + "'");
        const uint64_t n = text.size();
        out.write(reinterpret_cast<const char*>(&n), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
        if (!out) throw ExportError("write failed for '" + tmp + "'");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw ExportError("cannot rename '" + tmp + "' to '" + path + "'");
}

}  // namespace studio
