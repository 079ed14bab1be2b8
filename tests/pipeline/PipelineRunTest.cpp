// Whole runs on a tiny random model folder written by write_random_model: precision
// reporting, same seed = same noise, cache reuse, cancel, and the bad inputs users hit.
#include <gtest/gtest.h>

#include <filesystem>

#include "TestSupport.h"
#include "TinyRun.h"
#include "studio/Errors.h"
#include "studio/Generation.h"
#include "studio/RandomModel.h"
#include "studio/Json.h"

namespace fs = std::filesystem;
using namespace studio;

namespace {
const fs::path& tiny_model() { return test::tiny_model_dir("tiny-model", 7); }
GenerationParams tiny_params(const std::string& precision) { return test::tiny_request(tiny_model(), precision, 42); }
using test::max_abs_diff;
}  // namespace

TEST(PipelineRun, Fp32RunReportsWhatRan) {
    Pipeline pipeline;
    int progress_calls = 0, last_step = 0;
    JobCallbacks cb;
    cb.on_progress = [&](const ProgressInfo& p) {
        ++progress_calls;
        if (p.stage == "sample") last_step = p.step;
    };
    const auto r = pipeline.run(tiny_params("fp32"), cb, CancelToken{});
    EXPECT_EQ(r.image.width, 64);
    EXPECT_EQ(r.image.height, 64);
    EXPECT_EQ(last_step, 3);
    EXPECT_GT(progress_calls, 3);
    ASSERT_EQ(r.report.modules.size(), 4u);
    for (const auto& m : r.report.modules) {
        EXPECT_EQ(m.numerics, "fp32");
        EXPECT_FALSE(m.mismatch) << m.note;
        EXPECT_EQ(m.activation_dtypes.count("fp32"), 1u);
        EXPECT_GT(m.weight_dtypes.at("fp32"), 0);
    }
    EXPECT_TRUE(r.report.first_nonfinite_stage.empty());
    EXPECT_GT(r.report.peak_memory_bytes, 0);
    EXPECT_EQ(r.report.weight_hashes.size(), 4u);
    // latent after every step + text features + pooled + decoded image
    EXPECT_EQ(r.report.checks.size(), 3u + 3u);
}

TEST(PipelineRun, Bf16IsEmulatedOnCpuAndSaysSo) {
    Pipeline pipeline;
    const auto a = pipeline.run(tiny_params("fp32"), {}, CancelToken{});
    const auto b = pipeline.run(tiny_params("bf16"), {}, CancelToken{});
    for (const auto& m : b.report.modules) {
        EXPECT_EQ(m.numerics, "bf16 emulated");
        EXPECT_FALSE(m.mismatch) << m.note;
        EXPECT_EQ(m.activation_dtypes.count("bf16"), 1u) << to_string(m.module);
        EXPECT_EQ(m.weight_dtypes.count("fp32"), 0u) << "every resident weight must be bf16-exact";
    }
    // Same seed, same noise: the images differ only by precision (small but non-zero).
    const double d = max_abs_diff(a.image, b.image);
    EXPECT_GT(d, 0.0);
    EXPECT_LT(d, 0.5);
}

TEST(PipelineRun, SameSeedIsReproducibleAndModelsAreCached) {
    Pipeline pipeline;
    const auto a = pipeline.run(tiny_params("fp32"), {}, CancelToken{});
    const auto b = pipeline.run(tiny_params("fp32"), {}, CancelToken{});
    EXPECT_EQ(max_abs_diff(a.image, b.image), 0.0);
    for (const auto& m : b.report.modules) EXPECT_TRUE(m.from_cache);
    auto p = tiny_params("fp32");
    p.seed = 43;
    EXPECT_GT(max_abs_diff(a.image, pipeline.run(p, {}, CancelToken{}).image), 0.0);
}

TEST(PipelineRun, CancelMidRunStopsWithinAStepAndTheNextRunWorks) {
    Pipeline pipeline;
    CancelToken cancel;
    int steps_seen = 0;
    JobCallbacks cb;
    cb.on_progress = [&](const ProgressInfo& p) {
        if (p.stage == "sample" && p.step >= 1) {
            steps_seen = p.step;
            cancel.cancel();
        }
    };
    auto p = tiny_params("fp32");
    p.steps = 10;
    EXPECT_THROW(pipeline.run(p, cb, cancel), CancelledError);
    EXPECT_EQ(steps_seen, 1);
    EXPECT_NO_THROW(pipeline.run(tiny_params("fp32"), {}, CancelToken{}));
}

TEST(PipelineRun, BadInputsGiveClearErrors) {
    Pipeline pipeline;
    auto p = tiny_params("fp32");
    p.prompt = "   ";
    EXPECT_THROW(pipeline.run(p, {}, CancelToken{}), ConfigError);

    p = tiny_params("fp32");
    p.width = 60;  // not a multiple of VAE downscale x patch
    EXPECT_THROW(pipeline.run(p, {}, CancelToken{}), ConfigError);

    p = tiny_params("fp32");
    p.prompt.clear();
    for (int i = 0; i < 400; ++i) p.prompt += "blue_hair, red_eyes, ";
    try {
        pipeline.run(p, {}, CancelToken{});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("at most 512"), std::string::npos) << e.what();
    }

    p = tiny_params("fp32");
    p.model_dir = (tiny_model() / "missing").string();
    EXPECT_THROW(pipeline.run(p, {}, CancelToken{}), ModelLoadError);

    if (!Pipeline::cuda_available()) {
        p = tiny_params("fp32");
        p.device = DeviceKind::CUDA;
        EXPECT_THROW(pipeline.run(p, {}, CancelToken{}), ConfigError);
    }
}

TEST(PipelineRun, MissingComponentNamesIt) {
    const auto dir = studio::test::temp_dir("no-vae");
    for (auto c : {"transformer", "text_encoder", "clip_model"})
        fs::create_directory_symlink(tiny_model() / c, dir / c);
    auto p = tiny_params("fp32");
    p.model_dir = dir.string();
    Pipeline pipeline;
    try {
        pipeline.run(p, {}, CancelToken{});
        FAIL();
    } catch (const ModelLoadError& e) {
        EXPECT_NE(std::string(e.what()).find("vae"), std::string::npos) << e.what();
    }
}

TEST(PipelineRun, Fp16ReportsAndStaysFiniteOrSaysWhere) {
    Pipeline pipeline;
    const auto r = pipeline.run(tiny_params("fp16"), {}, CancelToken{});
    for (const auto& m : r.report.modules) EXPECT_EQ(m.numerics, "fp16 emulated");
    bool warned = false;
    for (const auto& w : r.report.warnings) warned |= w.find("Gemma") != std::string::npos;
    EXPECT_TRUE(warned);
    if (!r.report.first_nonfinite_stage.empty()) { EXPECT_FALSE(r.report.checks.empty()); }
}

TEST(PipelineRun, TokenCountIncludesSystemPromptAndBos) {
    Pipeline pipeline;
    const int with = pipeline.count_tokens(tiny_model().string(), "1girl, blue_hair", SystemPromptMode::Training);
    const int without = pipeline.count_tokens(tiny_model().string(), "1girl, blue_hair", SystemPromptMode::None);
    EXPECT_GT(with, without);
    EXPECT_GE(without, 2);
}

// A model folder whose model_index.json asks for compact XML (as the demo model does): the
// encoders see the same text however the prompt is laid out, and the report says so.
TEST(PipelineRun, CompactXmlModelIgnoresPromptLayout) {
    const auto dir = test::temp_dir("compact-model");
    fs::copy(tiny_model(), dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    const auto index_path = (dir / "model_index.json").string();
    auto index = read_json_file(index_path);
    index["_precision_studio"]["prompt_layout"] = "compact_xml";
    write_json_file(index_path, index);

    Pipeline pipeline;
    auto p = tiny_params("fp32");
    const auto typed = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(typed.report.prompt_layout, "as typed");
    p.model_dir = dir.string();
    const auto compact = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(compact.report.prompt_layout, "compact XML (asked by the model folder)");
    p.prompt = "<character_1>\n  <gender>1girl</gender>\n  <appearance>blue_hair, red_eyes</appearance>\n</character_1>\n";
    const auto pretty = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(max_abs_diff(compact.image, pretty.image), 0.0);
    EXPECT_EQ(pipeline.count_tokens(dir.string(), p.prompt, SystemPromptMode::Training),
              pipeline.count_tokens(dir.string(), tiny_params("fp32").prompt, SystemPromptMode::Training));
    // Without the hint the layout reaches the encoders.
    p.model_dir = tiny_model().string();
    EXPECT_GT(max_abs_diff(pipeline.run(p, {}, CancelToken{}).image, typed.image), 0.0);
    test::remove_tree(dir);
}

// The text encoders' memory policy: release drops them after encoding (reloaded next run, the
// transformer stays cached), the image does not change, and the report says what was applied.
TEST(PipelineRun, ReleasePolicyReloadsOnlyTheTextEncoders) {
    Pipeline pipeline;
    auto p = tiny_params("fp32");
    const auto kept = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(kept.report.memory_policy, "keep");  // auto on the CPU
    EXPECT_NE(kept.report.memory_policy_reason.find("auto"), std::string::npos);

    p.memory = MemoryPolicy::Release;
    const auto first = pipeline.run(p, {}, CancelToken{});
    const auto second = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(second.report.memory_policy, "release");
    EXPECT_EQ(second.report.memory_policy_reason, "asked");
    ASSERT_EQ(second.report.modules.size(), 4u);
    EXPECT_TRUE(first.report.modules[0].from_cache) << "the keep run left Gemma cached";
    EXPECT_FALSE(second.report.modules[0].from_cache) << "release must drop Gemma after encoding";
    EXPECT_FALSE(second.report.modules[1].from_cache) << "release must drop Jina after encoding";
    EXPECT_TRUE(second.report.modules[2].from_cache) << "the transformer stays cached";
    EXPECT_EQ(max_abs_diff(kept.image, second.image), 0.0);
    bool timed = false;
    for (const auto& t : second.report.timings) timed = timed || t.stage == "release";
    EXPECT_TRUE(timed);
    EXPECT_EQ(RunReport::from_json(second.report.to_json()).memory_policy, "release");

    // Offload needs a CUDA run: on the CPU it keeps them and says why.
    p.memory = MemoryPolicy::Offload;
    const auto off = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(off.report.memory_policy, "keep");
    EXPECT_NE(off.report.memory_policy_reason.find("CPU"), std::string::npos);
    // So does sequential offload (layers streamed to a GPU); the image is the same, the request
    // round-trips through the settings JSON.
    p.memory = MemoryPolicy::Sequential;
    const auto seq = pipeline.run(p, {}, CancelToken{});
    EXPECT_EQ(seq.report.memory_policy, "keep");
    EXPECT_NE(seq.report.memory_policy_reason.find("sequential asked, but the run is on the CPU"), std::string::npos);
    EXPECT_EQ(max_abs_diff(kept.image, seq.image), 0.0);
    MemoryPolicy parsed = MemoryPolicy::Auto;
    EXPECT_TRUE(parse_memory_policy("sequential", parsed));
    EXPECT_EQ(parsed, MemoryPolicy::Sequential);
    EXPECT_EQ(to_string(MemoryPolicy::Sequential), "sequential");
}
