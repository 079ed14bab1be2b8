// The audit proven by its faults: on a tiny random model every injected fault makes its finding
// fire at the module and layer it was injected into, and the clean run fires none.
#include <gtest/gtest.h>

#include <filesystem>

#include "TestSupport.h"
#include "TinyRun.h"
#include "studio/AuditSelfTest.h"
#include "studio/Errors.h"
#include "studio/Generation.h"
#include "studio/RandomModel.h"

namespace fs = std::filesystem;
using namespace studio;

namespace {
GenerationParams params_for(const AuditCase& c, AuditLevel level = AuditLevel::Deep) {
    auto p = test::tiny_request(test::tiny_model_dir("audit-model", 11, true), c.precision, 3);
    p.numerics = NumericsMode::Emulated;
    p.audit = level;
    p.inject = c.inject;
    p.vae_fp32_fallback = c.vae_fallback;
    return p;
}

AuditCase find_case(const std::string& name) {
    for (const auto& c : default_audit_cases())
        if (c.name == name) return c;
    ADD_FAILURE() << "no case " << name;
    return {};
}
}  // namespace

TEST(AuditFaults, EveryFaultFiresAtItsLayerAndTheCleanRunFiresNone) {
    Pipeline pipeline;
    CancelToken cancel;
    int cases = 0;
    for (const auto& c : default_audit_cases()) {
        const auto r = pipeline.run(params_for(c), {}, cancel);
        const auto check = check_audit_case(c, r.report);
        EXPECT_TRUE(check.passed) << c.name << ": " << check.detail;
        std::printf("%-32s %s\n", c.name.c_str(), check.detail.c_str());
        if (!check.passed)
            for (const auto& l : r.report.layers)
                std::printf("  %s.%s %s out %s values %s (bf16 %.4f, fp16 %.4f, %lld)\n", l.module.c_str(), l.layer.c_str(),
                            l.kind.c_str(), l.output_dtype.c_str(), l.value_precision.c_str(), l.bf16_fraction,
                            l.fp16_fraction, static_cast<long long>(l.elements));
        if (!c.expect_code.empty()) {
            EXPECT_TRUE(has_problems(r.report) || c.expect_code == code::kFp16OverflowRisk) << c.name;
        }
        ++cases;
    }
    EXPECT_EQ(cases, 15);
    // Every fault kind has a case of its own.
    for (const auto& kind : fault_kind_names()) {
        bool covered = false;
        for (const auto& c : default_audit_cases()) covered = covered || c.inject.rfind(kind, 0) == 0;
        EXPECT_TRUE(covered) << "no selftest case injects " << kind;
    }
}

TEST(AuditFaults, ACheckMissesWhenTheFindingIsAbsent) {
    // The checker itself can fail: a clean report does not satisfy a fault's expectation.
    RunReport clean;
    EXPECT_FALSE(check_audit_case(find_case("inf:dit.layers.1"), clean).passed);
    RunReport noisy;
    noisy.findings.push_back({Severity::Warning, code::kImageNoise, "", "", -1, "noise"});
    EXPECT_FALSE(check_audit_case(find_case("clean"), noisy).passed);
}

TEST(AuditFaults, FallbackListsBothDecodesAndOnlyABadFinalImageCounts) {
    Pipeline pipeline;
    CancelToken cancel;
    const auto without = pipeline.run(params_for(find_case("zero-image"), AuditLevel::Basic), {}, cancel).report;
    EXPECT_EQ(without.image_verdict, "image-black");
    EXPECT_TRUE(without.black_image);
    ASSERT_EQ(without.decode_attempts.size(), 1u);
    EXPECT_TRUE(final_image_bad(without));

    const auto with = pipeline.run(params_for(find_case("zero-image + fp32 fallback"), AuditLevel::Basic), {}, cancel).report;
    ASSERT_EQ(with.decode_attempts.size(), 2u);
    EXPECT_EQ(with.decode_attempts[0].verdict, "image-black");
    EXPECT_EQ(with.decode_attempts[1].numerics, "fp32");
    EXPECT_NE(with.decode_attempts[1].verdict, "image-black");
    EXPECT_TRUE(with.vae_fallback_used);
    EXPECT_FALSE(final_image_bad(with));
    EXPECT_NE(with.modules[3].numerics.find("fallback"), std::string::npos);  // the VAE entry is the decode that made the image
    EXPECT_GT(with.modules[3].load_seconds, 0.0) << "the fp32 VAE was loaded for the fallback: its load time counts";
    EXPECT_FALSE(with.modules[3].from_cache);

    // Not sticky: the next run decodes in the asked precision again.
    const auto next = pipeline.run(params_for(find_case("clean"), AuditLevel::Basic), {}, cancel).report;
    ASSERT_EQ(next.decode_attempts.size(), 1u);
    EXPECT_EQ(next.decode_attempts[0].numerics, "bf16 emulated");
}

TEST(AuditFaults, ReportJsonCarriesFindingsAndLayers) {
    Pipeline pipeline;
    CancelToken cancel;
    const auto r = pipeline.run(params_for(find_case("inf:dit.layers.1")), {}, cancel).report;
    ASSERT_FALSE(r.layers.empty());
    const auto back = RunReport::from_json(r.to_json());
    ASSERT_EQ(back.findings.size(), r.findings.size());
    ASSERT_EQ(back.layers.size(), r.layers.size());
    bool nonfinite = false;
    for (const auto& f : back.findings)
        if (f.code == code::kNonfinite) {
            nonfinite = true;
            EXPECT_EQ(f.module, "dit");
            EXPECT_EQ(f.layer, "layers.1");
            EXPECT_EQ(f.step, 1);
            EXPECT_EQ(f.severity, Severity::Error);
        }
    EXPECT_TRUE(nonfinite);
    bool linear = false;
    for (const auto& l : back.layers) {
        if (l.kind != "linear" || l.module != "dit" || l.layer != "layers.0.attention.qkv") continue;
        linear = true;
        // One transformer call per step (both CFG halves in one batch): the site saw every step.
        EXPECT_EQ(l.calls, r.params.steps) << "calls of " << l.layer;
    }
    EXPECT_TRUE(linear) << "deep mode traces every linear";
    for (const auto& l : back.layers) EXPECT_GE(l.calls, 1) << l.module << "." << l.layer;
}

TEST(AuditFaults, BasicLevelTracesModulesOnly) {
    Pipeline pipeline;
    CancelToken cancel;
    const auto r = pipeline.run(params_for(find_case("clean"), AuditLevel::Basic), {}, cancel).report;
    ASSERT_FALSE(r.layers.empty());
    for (const auto& l : r.layers) EXPECT_TRUE(l.kind == "module" || l.layer == "final_layer") << l.module << "." << l.layer;
}

TEST(AuditFaults, BasicLevelStillNamesTheFirstNonFiniteBlock) {
    Pipeline pipeline;
    CancelToken cancel;
    const auto r = pipeline.run(params_for(find_case("inf:dit.layers.1"), AuditLevel::Basic), {}, cancel).report;
    int found = 0;
    for (const auto& f : r.findings)
        if (f.code == code::kNonfinite) {
            ++found;
            EXPECT_EQ(f.module, "dit");
            EXPECT_EQ(f.layer, "layers.1");
            EXPECT_EQ(f.step, 1);
        }
    EXPECT_EQ(found, 1);
    // The failing block gets its full row (exact counts); blocks before it get none.
    bool row = false;
    for (const auto& l : r.layers) {
        EXPECT_NE(l.layer, "layers.0") << "a finite block was recorded at the basic level";
        if (l.module == "dit" && l.layer == "layers.1") {
            row = true;
            EXPECT_GE(l.inf, 1);
            EXPECT_EQ(l.first_nonfinite_step, 1);
        }
    }
    EXPECT_TRUE(row);
}

TEST(AuditFaults, BadFaultSpecsAreConfigErrors) {
    Pipeline pipeline;
    CancelToken cancel;
    auto p = params_for(find_case("clean"));
    for (const char* bad : {"melt:dit", "inf", "inf:gpu", "skip-rounding:dit.layers.0"}) {
        p.inject = bad;
        EXPECT_THROW(pipeline.run(p, {}, cancel), ConfigError) << bad;
    }
    p.inject = "fp16-as-bf16:dit";  // needs the DiT asked in fp16
    EXPECT_THROW(pipeline.run(p, {}, cancel), ConfigError);
    p.inject = "autocast-off:dit";  // needs the DiT asked in an autocast precision
    EXPECT_THROW(pipeline.run(p, {}, cancel), ConfigError);
}

TEST(AuditAutocast, Bf16IsTracedPerOpAndKeptFp32SitesAreNamed) {
    Pipeline pipeline;
    CancelToken cancel;
    auto p = params_for(find_case("clean"));
    p.precision = PrecisionConfig::parse("text=fp32,clip=fp32,dit=autocast-bf16,vae=fp32");
    const auto r = pipeline.run(p, {}, cancel).report;
    int lowered = 0, kept = 0, cast_in = 0;
    for (const auto& l : r.layers) {
        if (l.module != "dit") continue;
        // The cast autocast makes is visible: fp32 activations enter, bf16 leaves.
        if (l.kind == "linear" && l.input_dtype == "fp32" && l.output_dtype == "bf16") ++cast_in;
        if (l.kind == "linear" || l.kind == "norm") { EXPECT_FALSE(l.input_dtype.empty()) << l.layer; }
        if (l.kind == "block" || l.kind == "module") { EXPECT_TRUE(l.input_dtype.empty()) << l.layer; }
        if (l.output_dtype == "bf16") ++lowered;
        if (l.output_dtype == "fp32") ++kept;
        if (l.kind == "linear") { EXPECT_EQ(l.output_dtype, "bf16") << "autocast runs linears in bf16: " << l.layer; }
        if (!l.weight_dtype.empty()) { EXPECT_EQ(l.weight_dtype, "fp32") << "autocast keeps fp32 weights: " << l.layer; }
    }
    EXPECT_GT(lowered, 0);
    EXPECT_GT(kept, 0);
    EXPECT_GT(cast_in, 0);
    bool info = false;
    for (const auto& f : r.findings) {
        EXPECT_NE(f.code, std::string(code::kDtypeMismatch)) << f.message;
        EXPECT_NE(f.code, std::string(code::kPrecisionSignature)) << f.message;
        info |= f.code == code::kAutocastKeptFp32 && f.module == "dit";
    }
    EXPECT_TRUE(info) << "autocast-kept-fp32 names the sites autocast left in fp32";
    EXPECT_NE(r.modules[2].numerics.find("autocast-bf16"), std::string::npos) << r.modules[2].numerics;
    EXPECT_FALSE(r.modules[2].mismatch) << r.modules[2].note;
    EXPECT_EQ(r.image_verdict, "ok");

    p.precision = PrecisionConfig::parse("dit=autocast-fp16");
    EXPECT_THROW(pipeline.run(p, {}, cancel), ConfigError) << "CPU autocast cannot lower to fp16";
}
