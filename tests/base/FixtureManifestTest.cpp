// The fixture set itself: MANIFEST.json lists every file with its size, and the folder holds
// exactly those files. A missing, truncated or extra file fails here by name, before the numeric
// suites report it as an accuracy problem.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "TestSupport.h"

namespace fs = std::filesystem;

namespace {
nlohmann::json manifest() {
    std::ifstream in(studio::test::fixtures_dir() / "MANIFEST.json");
    if (!in) return nullptr;
    try {
        return nlohmann::json::parse(in);
    } catch (const std::exception&) {
        return nullptr;
    }
}
}  // namespace

TEST(FixtureManifest, EveryListedFileExistsWithItsSize) {
    const auto dir = studio::test::fixtures_dir();
    const auto m = manifest();
    ASSERT_TRUE(m.is_object()) << "no readable MANIFEST.json in " << dir << " (set STUDIO_FIXTURES_DIR)";
    ASSERT_FALSE(m.empty());
    for (auto it = m.begin(); it != m.end(); ++it) {
        const fs::path p = dir / it.key();
        ASSERT_TRUE(fs::is_regular_file(p)) << "listed in MANIFEST.json but missing: " << p;
        if (!it->contains("bytes")) continue;
        // Data files must match byte for byte in size; notes (.md, .txt) only get a mention.
        const auto ext = p.extension().string();
        const auto want = it->at("bytes").get<uintmax_t>(), have = fs::file_size(p);
        if (ext == ".md" || ext == ".txt") {
            if (want != have) std::printf("note: %s is %ju bytes, MANIFEST.json says %ju\n", it.key().c_str(), have, want);
            continue;
        }
        EXPECT_EQ(have, want) << p << " differs from MANIFEST.json: truncated or replaced?";
    }
}

TEST(FixtureManifest, NoUnlistedFiles) {
    const auto dir = studio::test::fixtures_dir();
    const auto m = manifest();
    ASSERT_TRUE(m.is_object()) << "no readable MANIFEST.json in " << dir;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string rel = fs::relative(e.path(), dir).generic_string();
        if (rel == "MANIFEST.json") continue;
        EXPECT_TRUE(m.contains(rel)) << rel << " is not listed in MANIFEST.json";
    }
}
