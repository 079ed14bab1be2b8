#pragma once
// Shared by the libFuzzer harnesses: a per-process scratch folder on a RAM file system where
// possible (the readers under test take paths), and the "expected failure" rule: a harness
// catches the project's typed errors, so anything else that escapes is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace studio::fuzz {

inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::error_code ec;
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
        auto d = base / ("studio-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::string write_scratch(const std::string& name, const uint8_t* data, size_t size) {
    const auto path = (scratch_dir() / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

// Aborts with a message: libFuzzer records the input as a crash.
[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
    std::abort();
}

}  // namespace studio::fuzz
