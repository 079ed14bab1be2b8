#pragma once
// Shared helpers for the test suites: where the fixtures are, temporary folders.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

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

// A fresh empty folder under the system temp dir, unique per test.
inline std::filesystem::path temp_dir(const std::string& name) {
    auto p = std::filesystem::temp_directory_path() / ("studio-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}

}  // namespace studio::test
