#include "studio/WeightStore.h"

#include "studio/Errors.h"

namespace studio {

torch::Dtype to_torch_dtype(StDType d, const std::string& file, const std::string& tensor) {
    switch (d) {
        case StDType::F64: return torch::kFloat64;
        case StDType::F32: return torch::kFloat32;
        case StDType::F16: return torch::kFloat16;
        case StDType::BF16: return torch::kBFloat16;
        case StDType::I64: return torch::kInt64;
        case StDType::I32: return torch::kInt32;
        case StDType::I16: return torch::kInt16;
        case StDType::I8: return torch::kInt8;
        case StDType::U8: return torch::kUInt8;
        case StDType::BOOL: return torch::kBool;
        default: break;
    }
    throw ModelLoadError("dtype " + to_string(d) + " is not supported by this build", file, tensor);
}

WeightStore WeightStore::open(const std::vector<std::string>& files, const std::vector<std::string>& strip_prefixes,
                              const std::vector<std::string>& skip_prefixes) {
    WeightStore store;
    if (files.empty()) throw ModelLoadError("no weight files given");
    for (const auto& path : files) {
        store.m_files.push_back(SafeTensorFile::open(path));
        const size_t fi = store.m_files.size() - 1;
        for (const auto& e : store.m_files.back()->entries()) {
            bool skip = false;
            for (const auto& p : skip_prefixes)
                if (e.name.rfind(p, 0) == 0) skip = true;
            if (skip) continue;
            std::string key = e.name;
            for (const auto& p : strip_prefixes)
                if (key.rfind(p, 0) == 0) {
                    key = key.substr(p.size());
                    break;
                }
            if (store.m_keys.count(key))
                throw ModelLoadError("tensor appears twice (also in " + store.m_files[store.m_keys[key].file]->path() + ")",
                                     path, e.name);
            store.m_keys[key] = Ref{fi, &e};
        }
    }
    return store;
}

namespace {
void check_finite(const torch::Tensor& t, const std::string& file, const std::string& tensor) {
    // A checkpoint with NaN/Inf weights would run and give a black or noisy image several
    // minutes later; it is refused at load, by name. fp8 has no isfinite kernel here.
    if (!t.is_floating_point() || t.numel() == 0 || t.element_size() < 2) return;
    c10::InferenceMode guard;
    if (torch::isfinite(t).all().item<bool>()) return;
    const int64_t nan = torch::isnan(t).sum().item<int64_t>();
    const int64_t inf = torch::isinf(t).sum().item<int64_t>();
    throw ModelLoadError("tensor holds " + std::to_string(nan) + " NaN and " + std::to_string(inf) + " Inf values of " +
                             std::to_string(t.numel()) + ": the checkpoint is damaged",
                         file, tensor);
}
}  // namespace

torch::Tensor WeightStore::get(const std::string& key) const {
    const auto it = m_keys.find(key);
    if (it == m_keys.end()) throw ModelLoadError("tensor missing from the checkpoint", origin(), key);
    const auto& file = m_files[it->second.file];
    const auto& e = *it->second.entry;
    const auto dtype = to_torch_dtype(e.dtype, file->path(), e.name);
    auto* ptr = const_cast<std::byte*>(file->data(e));
    auto keep = file->mapping();
    const auto opts = torch::TensorOptions().dtype(dtype);
    torch::Tensor out;
    if (reinterpret_cast<uintptr_t>(ptr) % element_size(e.dtype) != 0) {
        out = torch::empty(e.shape, opts);
        std::memcpy(out.data_ptr(), ptr, e.end - e.begin);
    } else {
        out = torch::from_blob(ptr, e.shape, [keep](void*) {}, opts);
    }
    check_finite(out, file->path(), e.name);
    return out;
}


std::vector<int64_t> WeightStore::shape(const std::string& key) const {
    const auto it = m_keys.find(key);
    if (it == m_keys.end()) throw ModelLoadError("tensor missing from the checkpoint", origin(), key);
    return it->second.entry->shape;
}

std::string WeightStore::file_of(const std::string& key) const {
    const auto it = m_keys.find(key);
    return it == m_keys.end() ? std::string() : m_files[it->second.file]->path();
}

std::vector<std::string> WeightStore::keys() const {
    std::vector<std::string> out;
    out.reserve(m_keys.size());
    for (const auto& kv : m_keys) out.push_back(kv.first);
    return out;
}

std::string WeightStore::origin() const { return m_files.empty() ? std::string() : m_files.front()->path(); }

int64_t write_tensor_file(const std::string& path, std::vector<std::pair<std::string, torch::Tensor>> tensors, bool bf16) {
    std::vector<SafeTensorBlob> blobs;
    blobs.reserve(tensors.size());
    int64_t bytes = 0;
    for (auto& [name, t] : tensors) {
        auto c = t.to(torch::kCPU);
        if (c.is_floating_point()) c = c.to(bf16 ? torch::kBFloat16 : torch::kFloat32);
        c = c.contiguous();
        const StDType dt = c.scalar_type() == torch::kBFloat16 ? StDType::BF16
                           : c.scalar_type() == torch::kFloat32 ? StDType::F32
                           : c.scalar_type() == torch::kInt64   ? StDType::I64
                                                                : throw ExportError("cannot store tensor '" + name + "' of dtype " +
                                                                                    std::string(c10::toString(c.scalar_type())));
        SafeTensorBlob b{name, dt, c.sizes().vec(), std::vector<std::byte>(static_cast<size_t>(c.numel() * c.element_size()))};
        std::memcpy(b.bytes.data(), c.data_ptr(), b.bytes.size());
        bytes += static_cast<int64_t>(b.bytes.size());
        blobs.push_back(std::move(b));
        t = torch::Tensor();  // large presets: free as we go
    }
    write_safetensors(path, blobs, {{"format", "pt"}});
    return bytes;
}

}  // namespace studio
