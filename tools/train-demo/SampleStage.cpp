// Stage "sample": generates random demo scenes with an exported model folder and scores them
// with the attribute probe, so a training run can be judged where it ran. It repeats what
// Pipeline::run computes (same prompt formats, noise per seed, official grid, CFG, Euler,
// decode), batching several scenes per model call.
#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "DemoCorpus.h"
#include "StageCommon.h"
#include "studio/ModelFolder.h"
#include "studio/PromptFormat.h"
#include "studio/demo/AttributeProbe.h"
#include "studio/dit/FlowSampler.h"
#include "studio/dit/NextDiT.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"
#include "studio/vae/Vae.h"

namespace fs = std::filesystem;

namespace studio::demo {

namespace {

torch::Tensor rows_to_tensor(const std::vector<std::vector<int64_t>>& rows) {
    auto t = torch::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, torch::kInt64);
    for (size_t i = 0; i < rows.size(); ++i) std::memcpy(t[static_cast<int64_t>(i)].data_ptr<int64_t>(), rows[i].data(), rows[i].size() * 8);
    return t;
}

void write_ppm(const fs::path& path, const ImageF& img) {
    std::ofstream out(path, std::ios::binary);
    out << "P6\n" << img.width << " " << img.height << "\n255\n";
    for (float v : img.pixels) out.put(static_cast<char>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f));
}

}  // namespace

SampleResult run_sample_stage(const SampleOptions& o) {
    c10::InferenceMode guard;
    const Stopwatch total;
    const auto folder = discover_model_folder(o.model);
    const auto& te = folder.require(ComponentKind::TextEncoder);
    const auto& ce = folder.require(ComponentKind::Clip);
    const auto& de = folder.require(ComponentKind::Transformer);
    const auto& ve = folder.require(ComponentKind::Vae);
    const Numerics nx = Numerics::make(Precision::FP32, o.device);
    SampleResult r;
    Stopwatch sw;
    auto gemma = load_gemma(te, nx);
    auto jina = load_jina(ce, nx);
    auto dit = load_dit(de, nx, gemma->config().hidden_size);
    auto vae = load_vae(ve, nx);
    const auto tokenizers = load_demo_tokenizers({te.tokenizer_model, ce.tokenizer_model});
    r.load_seconds = sw.seconds();
    if (!o.images.empty()) fs::create_directories(o.images);

    const int64_t down = vae.config.downscale(), C = dit->config().in_channels;
    const auto grid = official_time_grid(o.steps, o.shift);
    const CfgOptions cfg{o.cfg, 100.0, 0.0};
    AttributeTally tally;
    for (int first = 0; first < o.samples; first += o.batch) {
        const int n = std::min(o.batch, o.samples - first);
        std::vector<Scene> scenes;
        std::vector<std::string> gemma_texts, jina_texts;
        std::vector<torch::Tensor> noise;
        for (int i = 0; i < n; ++i) {
            const uint64_t seed = o.seed + static_cast<uint64_t>(first + i);
            scenes.push_back(random_scene(seed, o.two_character_fraction));
            const std::string prompt = scene_prompt(scenes.back(), {true, 0.0});
            gemma_texts.push_back(gemma_input_text(prompt, SystemPromptMode::Training));
            jina_texts.push_back(jina_input_text(prompt));
            auto gen = at::detail::createCPUGenerator(seed);
            noise.push_back(torch::randn({1, C, o.size / down, o.size / down}, gen, torch::kFloat32));
        }
        for (int i = 0; i < n; ++i) gemma_texts.push_back(""), jina_texts.push_back("");  // the CFG half
        sw = Stopwatch();
        const auto gb = make_gemma_batch(*tokenizers.gemma, gemma_texts, 1 << 20, 8);
        const auto mask = rows_to_tensor(gb.mask).to(o.device);
        const auto cap = gemma_caption_features(gemma, rows_to_tensor(gb.ids).to(o.device), mask).to(torch::kFloat32);
        const auto pooled = jina_pooled(jina, rows_to_tensor(make_jina_batch(*tokenizers.jina, jina_texts, 8192).ids).to(o.device));
        synchronize(o.device);
        r.encode_seconds += sw.seconds();
        sw = Stopwatch();
        const auto z0 = torch::cat(noise).to(o.device);
        auto x = torch::cat({z0, z0});
        x = sample_flow([&](const torch::Tensor& xt, double t) { return forward_with_cfg(dit, xt, t, cap, mask, pooled, cfg); },
                        x, grid, FlowSolver::Euler);
        synchronize(o.device);
        r.sample_seconds += sw.seconds();
        sw = Stopwatch();
        const auto images = vae_decode_image(vae, x.narrow(0, 0, n)).to(torch::kCPU);
        r.decode_seconds += sw.seconds();
        for (int i = 0; i < n; ++i) {
            const auto hwc = images[i].permute({1, 2, 0}).contiguous();
            ImageF img(static_cast<int>(hwc.size(1)), static_cast<int>(hwc.size(0)), 3);
            std::memcpy(img.pixels.data(), hwc.data_ptr<float>(), img.pixels.size() * sizeof(float));
            const auto check = check_attributes(img, scenes[static_cast<size_t>(i)]);
            tally.add(check);
            if (!o.images.empty()) {
                char name[32];
                std::snprintf(name, sizeof(name), "sample_%04d.ppm", first + i);
                write_ppm(fs::path(o.images) / name, img);
            }
            spdlog::debug("sample {}: {}  hair {}/{} eyes {}/{} bg {}", first + i, scene_labels(scenes[static_cast<size_t>(i)]),
                          check.hair_correct, check.characters, check.eyes_correct, check.characters, check.background);
        }
    }
    r.tally = tally;
    r.total_seconds = total.seconds();
    return r;
}

}  // namespace studio::demo
