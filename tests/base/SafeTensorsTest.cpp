// The safetensors reader on good files and on every kind of damage we could think of:
// each must give a ModelLoadError that names the file (and tensor), never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "TestSupport.h"
#include "studio/Errors.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"

using namespace studio;

namespace {
std::vector<std::byte> floats(std::initializer_list<float> v) {
    std::vector<std::byte> out(v.size() * 4);
    std::memcpy(out.data(), v.begin(), out.size());
    return out;
}

// Writes a file with a hand-made header (for the damaged cases).
std::string raw_file(const std::string& name, const std::string& header, size_t data_bytes, int64_t declared_len = -1) {
    const auto path = (studio::test::temp_dir("st-" + name) / "x.safetensors").string();
    std::ofstream out(path, std::ios::binary);
    const uint64_t n = declared_len >= 0 ? static_cast<uint64_t>(declared_len) : header.size();
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << header;
    out << std::string(data_bytes, '\0');
    return path;
}

void expect_load_error(const std::string& path, const std::string& fragment) {
    try {
        SafeTensorFile::open(path);
        FAIL() << "expected an error containing '" << fragment << "'";
    } catch (const ModelLoadError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        EXPECT_EQ(e.file(), path);
    }
}
}  // namespace

TEST(SafeTensors, WritesAndReadsBackZeroCopy) {
    const auto dir = studio::test::temp_dir("st-good");
    const auto path = (dir / "w.safetensors").string();
    write_safetensors(path, {{"a.weight", StDType::F32, {2, 2}, floats({1, 2, 3, 4})}, {"b", StDType::F32, {1}, floats({5})}},
                      {{"format", "pt"}});
    auto file = SafeTensorFile::open(path);
    ASSERT_EQ(file->entries().size(), 2u);
    EXPECT_EQ(file->metadata().at("format"), "pt");
    auto store = WeightStore::open({path});
    auto t = store.get("a.weight");
    EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 2}));
    EXPECT_FLOAT_EQ(t[1][1].item<float>(), 4.0f);
    EXPECT_FLOAT_EQ(store.get("b").item<float>(), 5.0f);
}

TEST(SafeTensors, StripsPrefixesAndSkipsKeys) {
    const auto dir = studio::test::temp_dir("st-prefix");
    const auto path = (dir / "w.safetensors").string();
    write_safetensors(path, {{"model.diffusion_model.x.weight", StDType::F32, {1}, floats({1})},
                             {"vision_tower.y", StDType::F32, {1}, floats({2})}});
    auto store = WeightStore::open({path}, {"inner_model.", "model.diffusion_model."}, {"vision_tower."});
    EXPECT_TRUE(store.has("x.weight"));
    EXPECT_FALSE(store.has("vision_tower.y"));
    EXPECT_THROW(store.get("missing"), ModelLoadError);
}

TEST(SafeTensors, RejectsTruncatedFile) {
    const auto path = (studio::test::temp_dir("st-trunc") / "t.safetensors").string();
    std::ofstream(path, std::ios::binary) << "abc";
    expect_load_error(path, "too small");
}

TEST(SafeTensors, RejectsHeaderLengthPastEof) {
    expect_load_error(raw_file("eof", "{}", 0, 4096), "past the end");
}

TEST(SafeTensors, RejectsAbsurdHeaderLength) {
    expect_load_error(raw_file("absurd", "{}", 0, int64_t(1) << 40), "implausible");
}

TEST(SafeTensors, RejectsInvalidJson) {
    expect_load_error(raw_file("json", "{\"a\": [1, 2", 0), "not valid JSON");
}

TEST(SafeTensors, RejectsUnknownDtype) {
    expect_load_error(raw_file("dtype", R"({"w":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}})", 4), "unknown dtype 'F12'");
}

TEST(SafeTensors, RejectsShapeSizeMismatch) {
    expect_load_error(raw_file("shape", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "shape x element size");
}

TEST(SafeTensors, RejectsRangeOutsideData) {
    expect_load_error(raw_file("range", R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8), "outside the data section");
}

TEST(SafeTensors, RejectsOverlappingRanges) {
    expect_load_error(raw_file("overlap",
                               R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                               12),
                      "overlaps");
}

TEST(SafeTensors, RejectsMissingFields) {
    expect_load_error(raw_file("fields", R"({"w":{"dtype":"F32","shape":[1]}})", 4), "lacks");
}

TEST(SafeTensors, RejectsReversedOffsets) {
    expect_load_error(raw_file("rev", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4), "end before");
}

TEST(SafeTensors, RejectsMissingFile) {
    EXPECT_THROW(SafeTensorFile::open("/nonexistent/dir/w.safetensors"), ModelLoadError);
}

TEST(SafeTensors, NamesTheTensorInErrors) {
    try {
        SafeTensorFile::open(raw_file("named", R"({"blocks.3.w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8));
        FAIL();
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.tensor(), "blocks.3.w");
    }
}

TEST(SafeTensors, AcceptsEveryKnownDtype) {
    const auto dir = studio::test::temp_dir("st-dtypes");
    const auto path = (dir / "d.safetensors").string();
    std::vector<SafeTensorBlob> blobs;
    for (auto d : {StDType::F64, StDType::F32, StDType::F16, StDType::BF16, StDType::I64, StDType::I32, StDType::I16,
                   StDType::I8, StDType::U8, StDType::BOOL})
        blobs.push_back({"t_" + to_string(d), d, {2}, std::vector<std::byte>(2 * element_size(d))});
    write_safetensors(path, blobs);
    auto store = WeightStore::open({path});
    EXPECT_EQ(store.get("t_BF16").scalar_type(), torch::kBFloat16);
    EXPECT_EQ(store.get("t_BOOL").scalar_type(), torch::kBool);
    EXPECT_EQ(store.get("t_F64").scalar_type(), torch::kFloat64);
}

TEST(SafeTensors, DuplicateKeysAcrossShardsAreAnError) {
    const auto dir = studio::test::temp_dir("st-dup");
    const auto a = (dir / "a.safetensors").string(), b = (dir / "b.safetensors").string();
    write_safetensors(a, {{"w", StDType::F32, {1}, floats({1})}});
    write_safetensors(b, {{"w", StDType::F32, {1}, floats({2})}});
    EXPECT_THROW(WeightStore::open({a, b}), ModelLoadError);
}

// Hostile headers: counts that overflow, values of the wrong JSON type, structures that are not
// what the format defines. Each is refused by name.
TEST(SafeTensorsHostile, ElementCountOverflowIsRefused) {
    // 2^32 x 2^32 elements wrap to 0 in 64 bits, which would "match" a zero-length range.
    expect_load_error(raw_file("ovf", R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0),
                      "overflows");
    // The element count fits, the byte count does not.
    expect_load_error(raw_file("ovf2", R"({"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})", 0),
                      "overflows");
    // A shape entry past int64.
    expect_load_error(raw_file("ovf3", R"({"w":{"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,0]}})", 0),
                      "not a non-negative integer");
}

TEST(SafeTensorsHostile, ZeroHeaderLengthIsRefused) {
    expect_load_error(raw_file("zero", "{}", 0, 0), "implausible header length 0");
}

TEST(SafeTensorsHostile, HeaderMustBeAnObject) {
    expect_load_error(raw_file("array", "[1,2,3]", 0), "not a JSON object");
    expect_load_error(raw_file("entry", R"({"w":[1,2]})", 0), "lacks dtype/shape/data_offsets");
}

TEST(SafeTensorsHostile, MetadataMustBeStringToString) {
    expect_load_error(raw_file("meta-int", R"({"__metadata__":{"format":"pt","epoch":3}})", 0), "'epoch' has JSON type number");
    expect_load_error(raw_file("meta-obj", R"({"__metadata__":{"nested":{"a":"b"}}})", 0), "'nested' has JSON type object");
    expect_load_error(raw_file("meta-arr", R"({"__metadata__":["a"]})", 0), "__metadata__ is not a JSON object");
}

TEST(SafeTensorsHostile, FieldTypesAreChecked) {
    expect_load_error(raw_file("dt-num", R"({"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})", 4), "dtype is not a string");
    expect_load_error(raw_file("sh-str", R"({"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})", 4), "shape is not an array");
    expect_load_error(raw_file("sh-neg", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4), "not a non-negative");
    expect_load_error(raw_file("sh-flt", R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4), "not a non-negative");
    expect_load_error(raw_file("off-neg", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4), "two non-negative");
    expect_load_error(raw_file("off-3", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 8), "two non-negative");
    expect_load_error(raw_file("off-flt", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", 4), "two non-negative");
}

TEST(SafeTensorsHostile, OverlapWithANonAdjacentTensorIsFound) {
    // a covers [0,16); b [4,8) sits inside it; c [8,12) too. Sorted by start, c does not touch b.
    expect_load_error(raw_file("overlap2",
                               R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                               R"("c":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                               16),
                      "overlaps tensor 'a'");
    // Empty tensors own no bytes and may sit anywhere.
    EXPECT_NO_THROW(SafeTensorFile::open(raw_file("empty-ok",
                                                  R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                                  R"("e":{"dtype":"F32","shape":[0],"data_offsets":[2,2]}})",
                                                  4)));
}

TEST(SafeTensorsHostile, FolderIsNotAFile) {
    const auto dir = studio::test::temp_dir("st-folder") / "w.safetensors";
    std::filesystem::create_directories(dir);
    expect_load_error(dir.string(), "is a folder");
}

TEST(SafeTensorsHostile, NonFiniteWeightsAreNamedAtLoad) {
    const auto dir = studio::test::temp_dir("st-nan");
    const auto path = (dir / "w.safetensors").string();
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    write_safetensors(path, {{"ok", StDType::F32, {2}, floats({1, 2})}, {"blocks.1.w", StDType::F32, {3}, floats({nan, 1, inf})}});
    auto store = WeightStore::open({path});
    EXPECT_NO_THROW(store.get("ok"));
    try {
        store.get("blocks.1.w");
        FAIL() << "NaN weights loaded";
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.tensor(), "blocks.1.w");
        EXPECT_EQ(e.file(), path);
        EXPECT_NE(std::string(e.what()).find("1 NaN and 1 Inf"), std::string::npos) << e.what();
    }
}
