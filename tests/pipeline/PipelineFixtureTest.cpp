// The whole chain against the pipeline fixture: strings -> tokenizers -> Gemma3 / Jina ->
// 6 Euler steps with CFG through the DiT -> VAE decode, through the public Pipeline entry point.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "PipelineSupport.h"
#include "studio/Generation.h"
#include "studio/WeightStore.h"

using namespace studio;

namespace {
double rel_error(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}
}  // namespace

TEST(PipelineFixture, EndToEndImageMatchesReference) {
    const auto fx = studio::test::fixtures_dir() / "pipeline";
    const auto inputs = WeightStore::open({(fx / "inputs.safetensors").string()});
    const auto expected = WeightStore::open({(fx / "expected.safetensors").string()});
    nlohmann::json texts;
    std::ifstream(fx / "texts.json") >> texts;

    const auto z0 = inputs.get("z0").contiguous();
    const auto ref = expected.get("image_01");
    GenerationParams p;
    p.model_dir = studio::test::fixture_model_folder().string();
    // texts.json holds [cond, uncond]; the fixture feeds raw text (no system prompt).
    const auto gemma_texts = texts.at("gemma_texts");
    ASSERT_EQ(texts.at("jina_texts"), gemma_texts) << "the pipeline feeds Jina the raw prompt";
    p.prompt = gemma_texts[0].get<std::string>();
    p.negative = gemma_texts[1].get<std::string>();
    p.system_prompt = SystemPromptMode::None;
    p.steps = static_cast<int>(expected.shape("model_call_t")[0]);
    const auto settings = studio::test::pipeline_readme_settings();
    ASSERT_TRUE(settings.valid) << "pipeline/README.md lacks the sampler settings";
    p.cfg_scale = static_cast<float>(settings.cfg_scale);
    p.cfg_trunc = static_cast<float>(settings.cfg_trunc);
    p.renorm_cfg = static_cast<float>(settings.renorm_cfg);
    p.shift = static_cast<float>(settings.shift);
    p.height = static_cast<int>(ref.size(2));
    p.width = static_cast<int>(ref.size(3));
    p.preview = false;
    if (studio::test::device_name() == "cuda") p.device = DeviceKind::CUDA;  // fp32 on the GPU: same tolerance
    Pipeline pipeline;
    std::vector<float> noise(z0.data_ptr<float>(), z0.data_ptr<float>() + z0.numel());
    const auto result = pipeline.run_with_noise(p, noise, {}, CancelToken{});
    ASSERT_EQ(result.image.width, p.width);
    ASSERT_EQ(result.image.height, p.height);
    auto ours = torch::from_blob(const_cast<float*>(result.image.pixels.data()), {p.height, p.width, 3}).permute({2, 0, 1}).unsqueeze(0);
    const double err = rel_error(ours, ref);
    std::cout << "pipeline image_01 relative error: " << err << "\n";
    EXPECT_LT(err, 1e-4);  // end to end, own stages chained (fixture README: ~1e-4 is a pass)
    EXPECT_TRUE(result.report.first_nonfinite_stage.empty());
    ASSERT_EQ(result.report.modules.size(), 4u);
    for (const auto& m : result.report.modules) EXPECT_FALSE(m.mismatch) << m.note;
    EXPECT_GT(result.report.peak_memory_bytes, 0);
    EXPECT_EQ(result.report.memory_kind, p.device == DeviceKind::CUDA ? "CUDA peak allocated" : "process peak RSS");
    std::cout << "peak memory: " << result.report.peak_memory_bytes / 1048576.0 << " MiB (" << result.report.memory_kind << ")\n";
}
