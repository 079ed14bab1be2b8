#pragma once
// Shared helpers for the test suites: where the fixtures are, temporary folders.
#include <ftw.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace studio::test {

// STUDIO_FIXTURES_DIR, else ../shared/fixtures beside the checkout.
inline std::filesystem::path fixtures_dir() {
    if (const char* env = std::getenv("STUDIO_FIXTURES_DIR"); env && *env) return env;
    return STUDIO_DEFAULT_FIXTURES_DIR;
}

// Device the numeric tests run on: STUDIO_TEST_DEVICE=cuda on a GPU machine, else "cpu".
inline std::string device_name() {
    const char* env = std::getenv("STUDIO_TEST_DEVICE");
    return env && *env ? std::string(env) : std::string("cpu");
}

inline std::filesystem::path source_dir() { return STUDIO_SOURCE_DIR; }

// Deletes a folder tree (no error when it is missing). Not std::filesystem::remove_all: with the
// CUDA libtorch wheels (built with a newer toolset on an older libstdc++) a torch-linked process
// can bind remove_all to libtorch's own copy of the filesystem library, which crashes there.
inline void remove_tree(const std::filesystem::path& dir) {
    ::nftw(
        dir.c_str(), [](const char* path, const struct stat*, int, struct FTW*) { return std::remove(path); }, 32,
        FTW_DEPTH | FTW_PHYS);
}

// A fresh empty folder under the system temp dir, unique per test.
inline std::filesystem::path temp_dir(const std::string& name) {
    auto p = std::filesystem::temp_directory_path() / ("studio-test-" + name + "-" + std::to_string(::getpid()));
    remove_tree(p);
    std::filesystem::create_directories(p);
    return p;
}

}  // namespace studio::test
