// The trainer's pieces: gradients through the core modules, data, schedule and optimiser.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "DemoData.h"
#include "DemoModels.h"
#include "TestSupport.h"
#include "TrainInit.h"
#include "TrainSupport.h"
#include "studio/Json.h"
#include "studio/ModelFolder.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"

using namespace studio;
using namespace studio::demo;
namespace fs = std::filesystem;

namespace {

// Moves every parameter away from its initial value so no term of the forward is trivially 0 or 1.
void perturb(torch::nn::Module& m, uint64_t seed) {
    torch::NoGradGuard no_grad;
    torch::manual_seed(seed);
    for (auto& p : m.parameters()) p.add_(torch::randn_like(p) * (p.dim() >= 2 ? 0.05 : 0.2));
}

DemoModelConfig toy_config() {
    auto c = DemoModelConfig::preset_config("toy");
    c.set_vocabularies(97, 61);
    return c;
}

// Two captions of different lengths, right-padded (pad 0).
std::pair<torch::Tensor, torch::Tensor> ragged_ids(int64_t vocab) {
    torch::manual_seed(3);
    auto ids = torch::randint(4, vocab, {2, 9}, torch::kInt64);
    auto mask = torch::ones({2, 9}, torch::kInt64);
    mask[1].narrow(0, 5, 4).zero_();
    ids[1].narrow(0, 5, 4).zero_();
    return {ids, mask};
}

}  // namespace

TEST(DemoTrainer, GradientsReachEveryComponent) {
    const auto cfg = toy_config();
    const Numerics nx = Numerics::fp32_cpu();
    Gemma3Text gemma(cfg.gemma, nx);
    JinaText jina(cfg.jina, nx);
    NextDiT dit(cfg.dit, nx);
    init_text_weights(*gemma, true, 1);
    init_text_weights(*jina, false, 2);
    init_dit_weights(*dit, 3);
    const auto [ids, mask] = ragged_ids(cfg.gemma.vocab_size);
    const auto jina_ids = torch::randint(3, cfg.jina.vocab_size, {2, 5}, torch::kInt64);
    const auto x = torch::randn({2, cfg.dit.in_channels, 8, 8});
    const auto t = torch::tensor({0.2f, 0.6f});
    {
        // Zero adaLN and final layer: every block starts as the identity and the output is 0.
        torch::NoGradGuard no_grad;
        const auto v0 = dit->forward(x, t, gemma_caption_features(gemma, ids, mask), mask, jina_pooled(jina, jina_ids));
        EXPECT_EQ(v0.abs().max().item<float>(), 0.0f);
    }
    perturb(*dit, 4);
    for (auto* m : std::vector<torch::nn::Module*>{gemma.get(), jina.get(), dit.get()})
        for (auto& p : m->parameters()) p.requires_grad_(true);
    const auto v = dit->forward(x, t, gemma_caption_features(gemma, ids, mask), mask, jina_pooled(jina, jina_ids));
    v.pow(2).mean().backward();
    auto grad_norm = [](torch::nn::Module& m, const std::string& name) {
        for (auto& item : m.named_parameters(true))
            if (item.key() == name) return item.value().grad().defined() ? item.value().grad().norm().item<double>() : 0.0;
        ADD_FAILURE() << "no parameter " << name;
        return 0.0;
    };
    EXPECT_GT(grad_norm(*gemma, "embed_tokens.weight"), 0.0);
    EXPECT_GT(grad_norm(*gemma, "layers.0.self_attn.q_proj.weight"), 0.0);
    EXPECT_GT(grad_norm(*jina, "embeddings.word_embeddings.weight"), 0.0);
    EXPECT_GT(grad_norm(*jina, "encoder.layers.1.mlp.fc2.weight"), 0.0);
    EXPECT_GT(grad_norm(*dit, "x_embedder.weight"), 0.0);
    EXPECT_GT(grad_norm(*dit, "context_refiner.0.attention.qkv.weight"), 0.0);
    EXPECT_GT(grad_norm(*dit, "layers.1.adaLN_modulation.1.weight"), 0.0);
    EXPECT_GT(grad_norm(*dit, "t_embedder.mlp.0.weight"), 0.0);
}

TEST(DemoTrainer, BatchesAreDeterministicPerStep) {
    DataOptions o;
    o.seed = 5;
    o.batch = 4;
    o.image_size = 64;
    o.caption_dropout = 0.5;
    const auto a = make_batch(o, 17, nullptr), b = make_batch(o, 17, nullptr), c = make_batch(o, 18, nullptr);
    EXPECT_TRUE(torch::equal(a.images, b.images));
    EXPECT_EQ(a.prompts, b.prompts);
    EXPECT_FALSE(torch::equal(a.images, c.images));
    EXPECT_EQ(a.images.sizes(), (std::vector<int64_t>{4, 64, 64, 3}));
    const auto x = images_to_tensor(a.images, torch::kCPU);
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{4, 3, 64, 64}));
    EXPECT_GE(x.min().item<float>(), -1.0f);
    EXPECT_LE(x.max().item<float>(), 1.0f);
}

TEST(DemoTrainer, CaptionDropoutRate) {
    DataOptions o;
    o.seed = 9;
    o.batch = 400;
    o.image_size = 64;
    o.caption_dropout = 0.1;
    const auto b = make_batch(o, 0, nullptr);
    int dropped = 0;
    for (const auto& p : b.prompts) dropped += p.empty();
    EXPECT_GT(dropped, 20);
    EXPECT_LT(dropped, 65);
}

TEST(DemoTrainer, TrainingTimeIsShiftedTowardNoise) {
    torch::manual_seed(1);
    const auto t = sample_training_time(20000, 256, torch::kCPU);
    EXPECT_GT(t.min().item<float>(), 0.0f);
    EXPECT_LT(t.max().item<float>(), 1.0f);
    // mu = 0.5 at 256 tokens: the median sigmoid(0) = 0.5 maps to 1 - 0.5 e^.5 / (0.5 + 0.5 e^.5) = 0.3775.
    EXPECT_NEAR(t.median().item<float>(), 0.3775f, 0.01f);
}

TEST(DemoTrainer, LearningRateSchedule) {
    EXPECT_NEAR(scheduled_lr(1.0, 0, 100, 0.0), 0.01, 1e-12);   // warm-up
    EXPECT_NEAR(scheduled_lr(1.0, 500, 100, 0.5), 1.0, 1e-12);  // flat
    EXPECT_NEAR(scheduled_lr(1.0, 900, 100, 0.85), 0.05 + 0.95 * 0.5, 1e-9);  // half-way down the cosine
    EXPECT_NEAR(scheduled_lr(1.0, 1000, 100, 1.0), 0.05, 1e-12);
}

TEST(DemoTrainer, AdamWMinimisesAndRoundTripsItsState) {
    auto w = torch::full({3}, 5.0);
    AdamW opt({{"w", w}}, 0.0);
    for (int i = 0; i < 300; ++i) {
        opt.zero_grad();
        (w - torch::tensor({1.0, -2.0, 0.5})).pow(2).sum().backward();
        opt.step(0.05);
    }
    EXPECT_LT((w.detach() - torch::tensor({1.0, -2.0, 0.5})).abs().max().item<double>(), 0.05);
    const auto dir = test::temp_dir("demo-adam");
    save_tensors((dir / "s.safetensors").string(), opt.state());
    auto w2 = w.detach().clone();
    AdamW opt2({{"w", w2}}, 0.0);
    opt2.load_state(load_tensors((dir / "s.safetensors").string()), opt.steps());
    EXPECT_EQ(opt2.steps(), 300);
    EXPECT_TRUE(torch::allclose(opt2.state()[0].second, opt.state()[0].second));
    test::remove_tree(dir);
}

TEST(DemoTrainer, PresetsRoundTripThroughJson) {
    for (const char* name : {"demo", "toy"}) {
        const auto c = DemoModelConfig::preset_config(name);
        const auto back = DemoModelConfig::from_json(c.to_json(), "test");
        EXPECT_EQ(back.preset, name);
        EXPECT_EQ(back.image_size, c.image_size);
        EXPECT_TRUE(back.gemma == c.gemma);
        EXPECT_TRUE(back.jina == c.jina);
        EXPECT_EQ(back.dit.parameter_count(), c.dit.parameter_count());
        EXPECT_EQ(back.vae.block_out_channels, c.vae.block_out_channels);
        std::printf("%s\n", c.summary().c_str());
    }
    EXPECT_THROW(DemoModelConfig::preset_config("huge"), ConfigError);
}
