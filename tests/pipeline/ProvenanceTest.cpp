#include <gtest/gtest.h>

#include "studio/Generation.h"
#include "studio/PromptFormat.h"
#include "studio/Provenance.h"

using namespace studio;

namespace {
RunReport sample_report() {
    RunReport r;
    r.params.model_dir = "/models/newbie";
    r.params.prompt = "<character_1><n>初音ミク</n><appearance>银色头发, purple_eyes</appearance></character_1>";
    r.params.negative = "blurry, worst quality";
    r.params.seed = 1234567890123ull;
    r.params.steps = 28;
    r.params.cfg_scale = 4.5f;
    r.params.width = 1152;
    r.params.height = 896;
    r.params.sampler = SamplerKind::Midpoint;
    r.params.precision = PrecisionConfig::parse("text=fp32,clip=fp32,dit=bf16,vae=fp16");
    ModuleReport m;
    m.module = Module::Dit;
    m.requested = "bf16";
    m.numerics = "bf16 native";
    m.weight_dtypes = {{"bf16", 123}};
    r.modules.push_back(m);
    r.timings.push_back({"sample", 12.5});
    r.weight_hashes["transformer"] = "0123456789abcdef";
    return r;
}
}  // namespace

TEST(Provenance, JsonRecordRoundTripsEverySetting) {
    const auto report = sample_report();
    const auto text = provenance_text(report);
    ASSERT_EQ(text.count(kParametersKey), 1u);
    GenerationParams p;
    RunReport back;
    std::string error;
    ASSERT_TRUE(params_from_provenance(text, p, &error, &back)) << error;
    EXPECT_EQ(p.prompt, report.params.prompt);  // byte-exact UTF-8
    EXPECT_EQ(p.negative, report.params.negative);
    EXPECT_EQ(p.seed, report.params.seed);
    EXPECT_EQ(p.width, 1152);
    EXPECT_EQ(p.sampler, SamplerKind::Midpoint);
    EXPECT_EQ(p.precision, report.params.precision);
    ASSERT_EQ(back.modules.size(), 1u);
    EXPECT_EQ(back.modules[0].numerics, "bf16 native");
    EXPECT_EQ(back.weight_hashes.at("transformer"), "0123456789abcdef");
}

TEST(Provenance, A1111LineAloneRestoresTheSettings) {
    const auto report = sample_report();
    std::map<std::string, std::string> text{{kParametersKey, a1111_parameters(report.params, &report)}};
    GenerationParams p;
    std::string error;
    ASSERT_TRUE(params_from_provenance(text, p, &error)) << error << "\n" << text.at(kParametersKey);
    EXPECT_EQ(p.prompt, report.params.prompt);
    EXPECT_EQ(p.negative, report.params.negative);
    EXPECT_EQ(p.steps, 28);
    EXPECT_FLOAT_EQ(p.cfg_scale, 4.5f);
    EXPECT_EQ(p.seed, report.params.seed);
    EXPECT_EQ(p.height, 896);
    EXPECT_EQ(p.precision, report.params.precision);
}

TEST(Provenance, NothingUsableIsAnErrorNotACrash) {
    GenerationParams p;
    std::string error;
    EXPECT_FALSE(params_from_provenance({}, p, &error));
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(params_from_provenance({{kProvenanceJsonKey, "{broken"}}, p, &error));
    EXPECT_FALSE(params_from_provenance({{kParametersKey, "no settings line"}}, p, &error));
}

TEST(Provenance, ReportJsonSurvivesNonFiniteStatistics) {
    RunReport r;
    FiniteCheck c;
    c.stage = "decoded image";
    c.nan = 5;
    c.min = std::numeric_limits<double>::quiet_NaN();
    r.checks.push_back(c);
    const auto back = RunReport::from_json(r.to_json());
    ASSERT_EQ(back.checks.size(), 1u);
    EXPECT_EQ(back.checks[0].nan, 5);
}

TEST(PromptFormat, TrainingSystemPromptFollowsThePromptKind) {
    EXPECT_EQ(gemma_input_text("<character_1/>", SystemPromptMode::Training).rfind(kXmlSystemPrompt, 0), 0u);
    EXPECT_EQ(gemma_input_text("1girl", SystemPromptMode::Training), std::string(kTextSystemPrompt) + "1girl");
    EXPECT_EQ(gemma_input_text("", SystemPromptMode::Training), "");
    EXPECT_EQ(gemma_input_text("1girl", SystemPromptMode::None), "1girl");
    EXPECT_EQ(jina_input_text("<a>x</a>"), "<a>x</a>");
}

TEST(PromptFormat, CompactXmlLayoutDropsOnlyLayoutWhitespace) {
    const std::string pretty = "\n<character_1>\n  <n>$character_1$</n>\n  <appearance> blue_hair, long_hair </appearance>\n"
                               "</character_1>\n<general_tags>\n\t<background>white_background</background>\n</general_tags>\n";
    EXPECT_EQ(compact_xml_layout(pretty),
              "<character_1><n>$character_1$</n><appearance>blue_hair, long_hair</appearance></character_1>"
              "<general_tags><background>white_background</background></general_tags>");
    // Spaces inside tag contents and inside tags stay; compact input and plain text are unchanged.
    const std::string compact = "<a x=\"1 2\"><b>red eyes, smile</b></a>";
    EXPECT_EQ(compact_xml_layout(compact), compact);
    EXPECT_EQ(compact_xml_layout("  1girl,\n blue_hair "), "  1girl,\n blue_hair ");
    EXPECT_EQ(compact_xml_layout("<a>\n  unterminated <b"), "<a>unterminated<b");
    EXPECT_EQ(compact_xml_layout(""), "");
}
