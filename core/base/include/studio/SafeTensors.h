#pragma once
// Memory-mapped safetensors reader. Validates the whole header before any tensor is
// handed out: header length inside the file, well-formed JSON, known dtypes,
// shape x element size == byte range, ranges inside the data section and disjoint.
// Torch-free: WeightStore turns entries into tensors.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace studio {

enum class StDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, U16, U32, U64, F8_E4M3, F8_E5M2 };

std::string to_string(StDType d);
size_t element_size(StDType d);

struct SafeTensorEntry {
    std::string name;
    StDType dtype{StDType::F32};
    std::vector<int64_t> shape;
    uint64_t begin{0};  // offsets relative to the data section
    uint64_t end{0};
    int64_t numel() const;
};

class MappedFile;

class SafeTensorFile {
public:
    // Throws ModelLoadError naming the file (and tensor) on any problem.
    static std::shared_ptr<SafeTensorFile> open(const std::string& path);

    const std::string& path() const { return m_path; }
    const std::vector<SafeTensorEntry>& entries() const { return m_entries; }
    const SafeTensorEntry* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    // Pointer to the first byte of a tensor's data (inside the mapping).
    const std::byte* data(const SafeTensorEntry& e) const;
    uint64_t file_size() const;
    // Keeps the mapping alive for zero-copy tensors.
    std::shared_ptr<const MappedFile> mapping() const { return m_map; }

private:
    std::string m_path;
    std::shared_ptr<const MappedFile> m_map;
    uint64_t m_data_offset{0};
    std::vector<SafeTensorEntry> m_entries;
    std::map<std::string, size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

// Writes tensors (raw little-endian bytes) as a safetensors file; used by init-random and tests.
struct SafeTensorBlob {
    std::string name;
    StDType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> bytes;
};
void write_safetensors(const std::string& path, const std::vector<SafeTensorBlob>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace studio
