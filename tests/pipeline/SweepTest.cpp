#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "studio/Errors.h"
#include "studio/Sweep.h"

using namespace studio;

namespace {
SweepRow row(const std::string& config, uint64_t seed, double image_s, double psnr, int64_t mem) {
    SweepRow r;
    r.config = config;
    r.precision = PrecisionConfig::parse(config == "fp32" ? "fp32" : config).to_string();
    r.seed = seed;
    r.reference = config == "fp32";
    r.runs = 1;
    r.sample_s = image_s;
    r.image_s = image_s;
    r.psnr = psnr;
    r.ssim = std::isinf(psnr) ? 1.0 : 0.98;
    r.peak_memory_bytes = mem;
    r.memory_kind = "process peak RSS";
    r.divergence = {{1, 0.001, 0.002}, {2, 0.01, 0.02}};
    return r;
}

SweepResults example() {
    SweepResults r;
    r.settings.model = "demo";
    r.settings.width = r.settings.height = 256;
    r.settings.steps = 2;
    r.settings.cfg = 4;
    r.settings.sampler = "euler";
    r.settings.prompts = {"<character_1/>"};
    r.settings.seeds = {1, 2};
    r.settings.samples = 10;
    r.configs = sweep_configurations(SweepGrid::OneAtATime, {Module::Dit}, {Precision::FP32, Precision::BF16});
    r.rows = {row("fp32", 1, 3.0, INFINITY, 400 << 20), row("fp32", 2, 3.2, INFINITY, 410 << 20),
              row("dit=bf16", 1, 4.0, 40.0, 380 << 20), row("dit=bf16", 2, 5.0, 30.0, 390 << 20)};
    r.rows[2].findings = {"dit: 12 weights resident in fp32 (expected bf16)"};
    SweepAccuracy a;
    a.config = "fp32";
    a.samples = 10;
    a.counts = {{"hair", {12, 12}}, {"eyes", {11, 12}}, {"separation", {0, 0}}};
    r.accuracy = {a};
    r.device_name = "CPU (2 threads)";
    r.complete = true;
    return r;
}
}  // namespace

TEST(Sweep, OneAtATimeVariesEachModuleAloneAfterTheReference) {
    const auto c = sweep_configurations(SweepGrid::OneAtATime, {Module::Text, Module::Clip, Module::Dit, Module::Vae},
                                        {Precision::FP32, Precision::BF16, Precision::FP16});
    ASSERT_EQ(c.size(), 9u);  // reference + 4 modules x {bf16, fp16}; the fp32 repeats collapse into it
    EXPECT_TRUE(c[0].reference());
    EXPECT_EQ(c[0].name, "fp32");
    EXPECT_EQ(c[1].name, "text=bf16");
    EXPECT_EQ(c[8].name, "vae=fp16");
    EXPECT_EQ(c[5].precision.to_string(), "text=fp32,clip=fp32,dit=bf16,vae=fp32");
}

TEST(Sweep, AllIsTheFullProductAndExplicitKeepsTheGivenOrder) {
    const auto all = sweep_configurations(SweepGrid::All, {Module::Dit, Module::Vae}, {Precision::FP32, Precision::BF16, Precision::FP16});
    EXPECT_EQ(all.size(), 9u);  // 3^2, the all-fp32 one is the reference
    EXPECT_EQ(all[0].name, "fp32");
    const auto ex = sweep_configurations(SweepGrid::Explicit, {}, {}, {PrecisionConfig::parse("mixed"), PrecisionConfig::all_bf16()});
    ASSERT_EQ(ex.size(), 3u);
    EXPECT_EQ(ex[1].name, "dit=bf16,vae=bf16");
    EXPECT_EQ(ex[2].name, "bf16");
    EXPECT_THROW(sweep_configurations(SweepGrid::Explicit, {}, {}), ConfigError);
    EXPECT_THROW(sweep_configurations(SweepGrid::OneAtATime, {Module::Dit}, {}), ConfigError);
}

TEST(Sweep, SummaryTakesMediansMeansAndWorstCases) {
    const auto s = summarize(example());
    ASSERT_EQ(s.size(), 2u);
    EXPECT_DOUBLE_EQ(s[0].image_s, 3.1);
    EXPECT_TRUE(std::isinf(s[0].psnr));
    EXPECT_DOUBLE_EQ(s[1].image_s, 4.5);
    EXPECT_DOUBLE_EQ(s[1].psnr, 35.0);
    EXPECT_DOUBLE_EQ(s[1].min_psnr, 30.0);
    EXPECT_EQ(s[1].peak_memory_bytes, int64_t{390} << 20);
    EXPECT_DOUBLE_EQ(s[1].final_latent_divergence, 0.01);
    ASSERT_EQ(s[1].findings.size(), 1u);
}

TEST(Sweep, JsonRoundTripsForResume) {
    const auto r = example();
    const auto back = sweep_from_json(sweep_to_json(r));
    EXPECT_TRUE(back.settings.same_experiment(r.settings));
    ASSERT_EQ(back.rows.size(), 4u);
    EXPECT_TRUE(std::isinf(back.rows[0].psnr));
    EXPECT_DOUBLE_EQ(back.rows[3].psnr, 30.0);
    EXPECT_EQ(back.rows[2].findings, r.rows[2].findings);
    EXPECT_EQ(back.rows[2].divergence.size(), 2u);
    ASSERT_NE(back.find_row("dit=bf16", 0, 2), nullptr);
    EXPECT_EQ(back.find_row("dit=bf16", 0, 3), nullptr);
    ASSERT_NE(back.find_accuracy("fp32"), nullptr);
    EXPECT_NEAR(back.find_accuracy("fp32")->accuracy("eyes"), 11.0 / 12, 1e-12);
    EXPECT_LT(back.find_accuracy("fp32")->accuracy("separation"), 0);
    EXPECT_EQ(back.configs.size(), 2u);
    EXPECT_THROW(sweep_from_json("{\"rows\": 1}"), StudioError);
}

TEST(Sweep, MarkdownHoldsTheTimeTableAndTheAccuracyTable) {
    const auto md = sweep_markdown(example());
    EXPECT_NE(md.find("## Time and memory per precision"), std::string::npos);
    EXPECT_NE(md.find("| fp32 (reference) | 3.10 s |"), std::string::npos) << md;
    EXPECT_NE(md.find("| dit=bf16 | 4.50 s |"), std::string::npos) << md;
    EXPECT_NE(md.find("35.00 dB"), std::string::npos);
    EXPECT_NE(md.find("## Attribute accuracy per precision"), std::string::npos);
    EXPECT_NE(md.find("91.7 % (11/12)"), std::string::npos) << md;
    auto r = example();
    r.accuracy.clear();
    r.complete = false;
    const auto md2 = sweep_markdown(r);
    EXPECT_EQ(md2.find("Attribute accuracy"), std::string::npos);
    EXPECT_NE(md2.find("Incomplete"), std::string::npos);
}

TEST(Sweep, CsvHasOneLinePerRowAndQuotesFields) {
    const auto csv = sweep_csv(example());
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
    EXPECT_NE(csv.find("\"text=fp32,clip=fp32,dit=bf16,vae=fp32\""), std::string::npos);
    EXPECT_NE(csv.find(",inf,"), std::string::npos);
    EXPECT_NE(csv.find("accuracy_hair"), std::string::npos);
}
