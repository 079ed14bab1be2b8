#include <gtest/gtest.h>

#include <cstdlib>

#include "studio/Errors.h"
#include "studio/DtypeNames.h"
#include "studio/Numerics.h"
#include "studio/Precision.h"

using namespace studio;

TEST(Precision, ParsesShorthands) {
    EXPECT_EQ(PrecisionConfig::parse("fp32"), PrecisionConfig::all_fp32());
    EXPECT_EQ(PrecisionConfig::parse("bfloat16"), PrecisionConfig::all_bf16());
    const auto mixed = PrecisionConfig::parse("mixed");
    EXPECT_EQ(mixed.get(Module::Text), Precision::FP32);
    EXPECT_EQ(mixed.get(Module::Clip), Precision::FP32);
    EXPECT_EQ(mixed.get(Module::Dit), Precision::BF16);
    EXPECT_EQ(mixed.get(Module::Vae), Precision::BF16);
}

TEST(Precision, FullSpecRoundTrips) {
    const auto c = PrecisionConfig::parse("text=fp32,clip=bf16,dit=fp16,vae=tf32");
    EXPECT_EQ(c.to_string(), "text=fp32,clip=bf16,dit=fp16,vae=tf32");
    EXPECT_EQ(PrecisionConfig::parse(c.to_string()), c);
}

TEST(Precision, PartialSpecKeepsBase) {
    const auto c = PrecisionConfig::parse("vae=fp32", ValueSource::CommandLine, PrecisionConfig::all_bf16());
    EXPECT_EQ(c.get(Module::Vae), Precision::FP32);
    EXPECT_EQ(c.get(Module::Dit), Precision::BF16);
    EXPECT_EQ(c.source(Module::Vae), ValueSource::CommandLine);
}

TEST(Precision, RejectsBadSpecsWithClearMessages) {
    try {
        PrecisionConfig::parse("dit=fp8");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("fp8"), std::string::npos);
    }
    EXPECT_THROW(PrecisionConfig::parse("unet2=bf16"), ConfigError);
    EXPECT_THROW(PrecisionConfig::parse("dit"), ConfigError);
    EXPECT_THROW(PrecisionConfig::parse(""), ConfigError);
}

TEST(Precision, EnvironmentOverridesDefaultAndRecordsSource) {
    ::setenv("NEWBIE_DTYPE", "bfloat16", 1);
    const auto c = PrecisionConfig::from_environment();
    ::unsetenv("NEWBIE_DTYPE");
    EXPECT_EQ(c, PrecisionConfig::all_bf16());
    EXPECT_EQ(c.source(Module::Dit), ValueSource::Environment);
    EXPECT_NE(c.describe_sources().find("env"), std::string::npos);
    EXPECT_EQ(PrecisionConfig::from_environment(), PrecisionConfig::all_fp32());
}

TEST(Precision, UnknownDtypeNamesItAndTheChoices) {
    for (const char* spec : {"fp64", "dit=fp64"}) {
        try {
            PrecisionConfig::parse(spec);
            FAIL() << spec;
        } catch (const ConfigError& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("unknown dtype 'fp64'"), std::string::npos) << msg;
            EXPECT_NE(msg.find("expected fp32, tf32, bf16, fp16"), std::string::npos) << msg;
        }
    }
    EXPECT_EQ(require_precision("BF16"), Precision::BF16);
    EXPECT_THROW(require_precision("int8"), ConfigError);
}

TEST(Precision, AutocastSpecsParseAndRoundTrip) {
    const auto c = PrecisionConfig::parse("text=fp32,clip=fp32,dit=autocast-bf16,vae=autocast_fp16");
    EXPECT_EQ(c.get(Module::Dit), Precision::AutocastBF16);
    EXPECT_EQ(c.get(Module::Vae), Precision::AutocastFP16);
    EXPECT_EQ(PrecisionConfig::parse(c.to_string()), c);
    EXPECT_EQ(PrecisionConfig::parse("autocast-bf16"), PrecisionConfig::uniform(Precision::AutocastBF16));
    EXPECT_TRUE(is_autocast(Precision::AutocastFP16));
    EXPECT_FALSE(is_autocast(Precision::BF16));
    // fp32 weights; the lowered dtype is autocast's, never emulated
    const Numerics nx = Numerics::make(Precision::AutocastBF16, torch::kCPU, NumericsMode::Emulated);
    EXPECT_EQ(nx.storage(), torch::kFloat32);
    EXPECT_FALSE(nx.emulated);
    EXPECT_EQ(nx.autocast(), torch::kBFloat16);
    EXPECT_FALSE(Numerics::make(Precision::BF16, torch::kCPU).autocast().has_value());
}

TEST(Precision, ComputeScopeTurnsCpuAutocastOnAndRestoresIt) {
    const auto a = torch::ones({4, 4}), b = torch::ones({4, 4});
    EXPECT_EQ(torch::matmul(a, b).scalar_type(), torch::kFloat32);
    {
        ComputeScope scope(Numerics::make(Precision::AutocastBF16, torch::kCPU));
        EXPECT_EQ(torch::matmul(a, b).scalar_type(), torch::kBFloat16) << "autocast lowers matmul";
        EXPECT_EQ((a + b).scalar_type(), torch::kFloat32) << "elementwise ops keep their input dtype";
    }
    EXPECT_EQ(torch::matmul(a, b).scalar_type(), torch::kFloat32) << "autocast is off again after the scope";
}
