#include "WeightHash.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <vector>

namespace studio {

namespace {
void fnv(uint64_t& h, const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= 1099511628211ull;
    }
}
}  // namespace

std::string weight_files_hash(const std::vector<std::string>& files) {
    uint64_t h = 1469598103934665603ull;
    std::vector<char> buf;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary | std::ios::ate);
        if (!in) continue;
        const uint64_t size = static_cast<uint64_t>(in.tellg());
        fnv(h, reinterpret_cast<const char*>(&size), sizeof size);
        in.seekg(0);
        const size_t n = static_cast<size_t>(std::min<uint64_t>(size, (1u << 20) + 8));
        buf.resize(n);
        in.read(buf.data(), static_cast<std::streamsize>(n));
        fnv(h, buf.data(), static_cast<size_t>(in.gcount()));
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

}  // namespace studio
