#pragma once
// All tensors of one model component (one or many safetensors shards), under
// normalised key names, handed out as zero-copy torch tensors over the mmap.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "studio/SafeTensors.h"

namespace studio {

torch::Dtype to_torch_dtype(StDType d, const std::string& file = {}, const std::string& tensor = {});

// Writes named tensors as one safetensors file (floating point stored as bf16 when `bf16`,
// else fp32; integers as they are), releasing each tensor as soon as it is serialised.
// Returns the bytes of tensor data written. Throws ExportError.
int64_t write_tensor_file(const std::string& path, std::vector<std::pair<std::string, torch::Tensor>> tensors, bool bf16);

class WeightStore {
public:
    // `strip_prefixes`: the first matching prefix is removed from each key (e.g. "inner_model.",
    // "model.diffusion_model.", "language_model.model."). Keys starting with one of
    // `skip_prefixes` (e.g. a vision tower) are left out. Duplicate keys are an error.
    static WeightStore open(const std::vector<std::string>& files, const std::vector<std::string>& strip_prefixes = {},
                            const std::vector<std::string>& skip_prefixes = {});

    bool has(const std::string& key) const { return m_keys.count(key) != 0; }
    // Zero-copy view (copied only when misaligned). Throws ModelLoadError if missing.
    torch::Tensor get(const std::string& key) const;
    std::vector<int64_t> shape(const std::string& key) const;
    std::string file_of(const std::string& key) const;
    std::vector<std::string> keys() const;
    const std::vector<std::shared_ptr<SafeTensorFile>>& files() const { return m_files; }
    // A short description for error messages: the first file, or the folder.
    std::string origin() const;

private:
    struct Ref {
        size_t file;
        const SafeTensorEntry* entry;
    };
    std::vector<std::shared_ptr<SafeTensorFile>> m_files;
    std::map<std::string, Ref> m_keys;
};

}  // namespace studio
