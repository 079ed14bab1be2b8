// Integers read from files: nlohmann casts floats to integers unchecked (undefined past the range),
// so json_get refuses what does not fit. Each case below once reached that cast from a fuzz input.
#include <gtest/gtest.h>

#include "studio/Json.h"

using nlohmann::json;
using studio::json_get;
using studio::json_or;

TEST(JsonGet, WholeNumbersThatFitAreRead) {
    EXPECT_EQ(json_get<int64_t>(json::parse("42")), 42);
    EXPECT_EQ(json_get<int64_t>(json::parse("-7")), -7);
    EXPECT_EQ(json_get<int>(json::parse("3.0")), 3);  // a whole float is an integer
    EXPECT_EQ(json_get<uint64_t>(json::parse("18446744073709551615")), UINT64_MAX);
    EXPECT_DOUBLE_EQ(json_get<double>(json::parse("1e300")), 1e300);
}

TEST(JsonGet, FloatsPastTheRangeOrWithAFractionAreRefused) {
    EXPECT_THROW(json_get<int64_t>(json::parse("1e33")), json::type_error);  // config.json finding
    EXPECT_THROW(json_get<int64_t>(json::parse("2.44444e103")), json::type_error);  // report finding
    EXPECT_THROW(json_get<int64_t>(json::parse("9223372036854775808.0")), json::type_error);
    EXPECT_THROW(json_get<int>(json::parse("2.5")), json::type_error);
}

TEST(JsonGet, IntegersThatDoNotFitTheTargetAreRefused) {
    EXPECT_THROW(json_get<int>(json::parse("4294967296")), json::type_error);
    EXPECT_THROW(json_get<int64_t>(json::parse("18446744073709551615")), json::type_error);
    EXPECT_THROW(json_get<uint64_t>(json::parse("-1")), json::type_error);
    EXPECT_THROW(json_get<int>(json::parse("\"12\"")), json::type_error);
}

TEST(JsonGet, OrFallsBackOnlyWhenAbsent) {
    const json j = json::parse(R"({"a": 5, "b": null, "c": 1e40})");
    EXPECT_EQ(json_or<int>(j, "a", 1), 5);
    EXPECT_EQ(json_or<int>(j, "b", 1), 1);
    EXPECT_EQ(json_or<int>(j, "missing", 1), 1);
    EXPECT_THROW(json_or<int>(j, "c", 1), json::type_error);
    EXPECT_THROW(studio::json_value<int64_t>(j, "c", 0), studio::ConfigError);
}
