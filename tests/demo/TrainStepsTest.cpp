// Training the core modules: three optimiser steps of the text encoders and the DiT on a toy
// batch give the losses and gradient norms the trainer's former differentiable copies of the
// forwards gave (recorded from them before they were removed).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <functional>

#include "DemoModels.h"
#include "TestSupport.h"
#include "TrainInit.h"
#include "TrainSupport.h"
#include "studio/SafeTensors.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"

using namespace studio;
using namespace studio::demo;

namespace {

// Deterministic values per parameter NAME, so any module with the checkpoint's names starts alike.
void fill_by_name(torch::nn::Module& m, uint64_t seed) {
    torch::NoGradGuard no_grad;
    for (auto& item : m.named_parameters(true)) {
        uint64_t h = seed;
        for (char ch : item.key()) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
        torch::manual_seed(h & 0x7FFFFFFF);
        auto& p = item.value();
        p.copy_(torch::randn(p.sizes()) * (p.dim() >= 2 ? 0.1 : 0.3) + (p.dim() == 1 ? 0.5 : 0.0));
        p.requires_grad_(true);
    }
}

struct StepRecord {
    double loss, grad_gemma, grad_jina, grad_dit;
};

double grad_norm(torch::nn::Module& m) {
    double s = 0;
    for (auto& p : m.parameters())
        if (p.grad().defined()) s += p.grad().pow(2).sum().item<double>();
    return std::sqrt(s);
}

void sgd(torch::nn::Module& m, double lr) {
    torch::NoGradGuard no_grad;
    for (auto& p : m.parameters())
        if (p.grad().defined()) {
            p.sub_(p.grad() * lr);
            p.grad().zero_();
        }
}

}  // namespace

TEST(DemoTrainer, CoreModulesTrainLikeTheFormerCopies) {
    auto cfg = DemoModelConfig::preset_config("toy");
    cfg.set_vocabularies(97, 61);
    const Numerics nx = Numerics::fp32_cpu();
    Gemma3Text gemma(cfg.gemma, nx);
    JinaText jina(cfg.jina, nx);
    NextDiT dit(cfg.dit, nx);
    fill_by_name(*gemma, 1);
    fill_by_name(*jina, 2);
    fill_by_name(*dit, 3);
    torch::manual_seed(11);
    auto ids = torch::randint(4, cfg.gemma.vocab_size, {2, 9}, torch::kInt64);
    auto mask = torch::ones({2, 9}, torch::kInt64);
    mask[1].narrow(0, 5, 4).zero_();
    ids[1].narrow(0, 5, 4).zero_();
    auto jina_ids = torch::randint(3, cfg.jina.vocab_size, {2, 7}, torch::kInt64);
    jina_ids[1].narrow(0, 4, 3).fill_(cfg.jina.pad_token_id);
    const auto x0 = torch::randn({2, cfg.dit.in_channels, 8, 8});
    const auto noise = torch::randn({2, cfg.dit.in_channels, 8, 8});
    const auto t = torch::tensor({0.3f, 0.7f});
    const auto xt = noise + (x0 - noise) * t.view({2, 1, 1, 1});
    std::vector<StepRecord> got;
    for (int step = 0; step < 3; ++step) {
        const auto cap = gemma_caption_features(gemma, ids, mask);
        const auto pooled = jina_pooled(jina, jina_ids);
        const auto v = dit->forward(xt, t, cap, mask, pooled);
        const auto loss = (v - (x0 - noise)).pow(2).mean();
        loss.backward();
        got.push_back({loss.item<double>(), grad_norm(*gemma), grad_norm(*jina), grad_norm(*dit)});
        for (auto* m : std::vector<torch::nn::Module*>{gemma.get(), jina.get(), dit.get()}) sgd(*m, 0.05);
    }
    // Loss and gradient norms of the same three steps through TrainGemma / TrainJina /
    // dit_training_forward, the trainer's former copies of these forwards.
    const StepRecord former[3] = {{4.04740238, 1.29824848, 0.153136044, 7.75074998},
                                  {3.07199121, 0.938336285, 0.141177363, 6.21651316},
                                  {2.64759445, 0.403412107, 0.097214303, 3.55067232}};
    for (int i = 0; i < 3; ++i) {
        std::printf("step %d: loss %.9g, |grad| text %.9g clip %.9g dit %.9g\n", i, got[i].loss, got[i].grad_gemma,
                    got[i].grad_jina, got[i].grad_dit);
        EXPECT_NEAR(got[i].loss, former[i].loss, 1e-5 * former[i].loss);
        EXPECT_NEAR(got[i].grad_gemma, former[i].grad_gemma, 1e-4 * former[i].grad_gemma);
        EXPECT_NEAR(got[i].grad_jina, former[i].grad_jina, 1e-4 * former[i].grad_jina);
        EXPECT_NEAR(got[i].grad_dit, former[i].grad_dit, 1e-4 * former[i].grad_dit);
    }
}

// The export reads the training checkpoint by the core modules' parameter names: the shipped
// demo weights, put into the training modules and exported again, come out bit-identical.
TEST(DemoTrainer, ShippedWeightsRoundTripThroughTheTrainingModules) {
    const std::string demo = std::string(STUDIO_SOURCE_DIR) + "/resources/models/newbie-demo";
    const Numerics nx = Numerics::fp32_cpu();
    Gemma3Text gemma(GemmaConfig::from_json_file(demo + "/text_encoder/config.json"), nx);
    JinaText jina(JinaConfig::from_json_file(demo + "/clip_model/config.json"), nx);
    const std::tuple<torch::nn::Module*, std::string, std::string> parts[] = {
        {gemma.get(), demo + "/text_encoder/model.safetensors", kGemmaPrefix},
        {jina.get(), demo + "/clip_model/model.safetensors", kJinaPrefix}};
    for (const auto& [module, path, prefix] : parts) {
        const auto file = load_tensors(path);  // fp32 copies of the shipped (bf16) tensors
        std::map<std::string, torch::Tensor> checkpoint;  // as the trainer saves it: keys without the hub prefix
        for (const auto& [k, t] : file)
            if (k.rfind(prefix, 0) == 0) checkpoint[k.substr(prefix.size())] = t;
        assign_parameters(named_parameters(*module), checkpoint, path);
        const auto exported = named_parameters(*module, prefix);
        EXPECT_EQ(exported.size(), file.size()) << path;
        for (const auto& [k, t] : exported) {
            const auto it = file.find(k);
            ASSERT_NE(it, file.end()) << k;
            EXPECT_TRUE(torch::equal(t.to(torch::kBFloat16).to(torch::kFloat32), it->second)) << k;
            EXPECT_TRUE(torch::equal(t, it->second)) << k;
        }
    }
}
