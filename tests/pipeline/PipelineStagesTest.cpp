// The pipeline fixture stage by stage, each stage fed the previous stage's expected tensors
// (pipeline/README.md: ~1e-5 relative per stage): token batches are checked in test_tokenizers;
// here Gemma caption features, the Jina pooled vector, every latent of the Euler/CFG trajectory,
// and the VAE decode. Sampler settings come from the fixture README, shapes from the tensors.
#include <gtest/gtest.h>

#include <cstdio>

#include "PipelineSupport.h"
#include "studio/ModelFolder.h"
#include "studio/WeightStore.h"
#include "studio/dit/FlowSampler.h"
#include "studio/dit/NextDiT.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"
#include "studio/vae/Vae.h"

using namespace studio;
namespace fs = std::filesystem;

namespace {
// Per stage, fed the expected input: the oracle's own fp32-vs-fp64 spread is <= 1e-6.
constexpr double kStageTol = 1e-5;

double rel(const torch::Tensor& a, const torch::Tensor& b) {
    const auto ad = a.to(torch::kCPU, torch::kFloat64), bd = b.to(torch::kFloat64);
    EXPECT_EQ(ad.sizes(), bd.sizes());
    if (ad.sizes() != bd.sizes()) return 1e30;
    return (ad - bd).abs().max().item<double>() / std::max(bd.abs().max().item<double>(), 1e-30);
}

ComponentFiles component(const fs::path& dir, ComponentKind kind) {
    ComponentFiles c;
    c.kind = kind;
    c.dir = dir.string();
    c.config_path = (dir / "config.json").string();
    c.weight_files = component_weight_files(c.dir);
    return c;
}

class PipelineStages : public ::testing::Test {
protected:
    void SetUp() override {
        configure_torch_threads();
        const auto fx = test::fixtures_dir() / "pipeline";
        for (const char* f : {"inputs.safetensors", "expected.safetensors", "README.md"})
            ASSERT_TRUE(fs::is_regular_file(fx / f)) << "fixture missing: " << (fx / f);
        const auto exp = WeightStore::open({(fx / "expected.safetensors").string()});
        for (const auto& k : exp.keys()) e[k] = exp.get(k).clone();
        in_z0 = WeightStore::open({(fx / "inputs.safetensors").string()}).get("z0").clone();
        settings = test::pipeline_readme_settings();
        ASSERT_TRUE(settings.valid) << "pipeline/README.md lacks the sampler settings";
    }
    std::map<std::string, torch::Tensor> e;
    torch::Tensor in_z0;
    test::PipelineSettings settings;
};
}  // namespace

TEST_F(PipelineStages, GemmaCaptionFeatures) {
    auto gemma = load_gemma(component(test::fixtures_dir() / "gemma3" / "text_encoder", ComponentKind::TextEncoder),
                            Numerics::fp32_cpu());
    const auto feats = gemma_caption_features(gemma, e.at("gemma_input_ids"), e.at("gemma_attention_mask"));
    const double err = rel(feats, e.at("cap_feats"));
    std::printf("[pipeline] cap_feats rel err %.3g (bound %.0e)\n", err, kStageTol);
    EXPECT_LE(err, kStageTol);
}

TEST_F(PipelineStages, JinaPooledVector) {
    auto jina = load_jina(component(test::fixtures_dir() / "jina" / "clip_model", ComponentKind::Clip), Numerics::fp32_cpu());
    const double err = rel(jina_pooled(jina, e.at("jina_input_ids")), e.at("clip_text_pooled"));
    std::printf("[pipeline] clip_text_pooled rel err %.3g (bound %.0e)\n", err, kStageTol);
    EXPECT_LE(err, kStageTol);
}

TEST_F(PipelineStages, EveryLatentOfTheTrajectory) {
    auto dit = load_dit(component(test::fixtures_dir() / "dit" / "transformer", ComponentKind::Transformer),
                        Numerics::fp32_cpu());
    const auto& t_exp = e.at("t_grid");
    const int steps = static_cast<int>(t_exp.numel()) - 1;
    ASSERT_EQ(e.at("trajectory").size(0), steps + 1);
    const auto grid = official_time_grid(steps, settings.shift);
    EXPECT_LE(rel(torch::tensor(grid), t_exp), 1e-6) << "time grid (shift " << settings.shift << ")";
    const CfgOptions cfg{settings.cfg_scale, settings.cfg_trunc, settings.renorm_cfg};
    std::vector<double> calls;
    const VelocityFn f = [&](const torch::Tensor& x, double t) {
        calls.push_back(t);
        return forward_with_cfg(dit, x, t, e.at("cap_feats"), e.at("gemma_attention_mask"), e.at("clip_text_pooled"), cfg);
    };
    std::vector<torch::Tensor> traj{in_z0};
    const auto x = sample_flow(f, in_z0.repeat({2, 1, 1, 1}), grid, FlowSolver::Euler,
                               [&](const StepInfo& s) { traj.push_back(s.x.narrow(0, 0, 1).clone()); });
    EXPECT_LE(rel(torch::tensor(calls), e.at("model_call_t")), 1e-6);
    ASSERT_EQ(static_cast<int64_t>(traj.size()), steps + 1);
    for (int k = 0; k <= steps; ++k) {
        const double err = rel(traj[static_cast<size_t>(k)], e.at("trajectory")[k]);
        std::printf("[pipeline] latent after step %d rel err %.3g\n", k, err);
        EXPECT_LE(err, kStageTol) << "latent after step " << k;
    }
    EXPECT_LE(rel(x.narrow(0, 0, 1), e.at("final_latent")), kStageTol);
}

TEST_F(PipelineStages, VaeDecodeOfTheFinalLatent) {
    auto vae = load_vae(component(test::fixtures_dir() / "vae" / "vae", ComponentKind::Vae), Numerics::fp32_cpu());
    const double e_dec = rel(vae_decode_raw(vae, e.at("final_latent")), e.at("decoded"));
    const double e_img = rel(vae_decode_image(vae, e.at("final_latent")), e.at("image_01"));
    std::printf("[pipeline] decoded rel err %.3g, image_01 %.3g (bound %.0e)\n", e_dec, e_img, kStageTol);
    EXPECT_LE(e_dec, kStageTol);
    EXPECT_LE(e_img, kStageTol);
}
