// train-demo end to end at toy scale on the CPU: both stages lower their loss, a resume
// continues where the last run stopped, and the export is a model folder Pipeline::run loads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "Stages.h"
#include "TestSupport.h"
#include "studio/Generation.h"
#include "studio/ModelFolder.h"

using namespace studio;
using namespace studio::demo;
namespace fs = std::filesystem;

namespace {
// Column `column` of every data row of a CSV loss log.
std::vector<double> csv_column(const fs::path& path, size_t column) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    std::vector<double> out;
    while (std::getline(in, line)) {
        std::stringstream s(line);
        std::string cell;
        for (size_t i = 0; i <= column && std::getline(s, cell, ','); ++i)
            if (i == column) out.push_back(std::stod(cell));
    }
    return out;
}
}  // namespace

TEST(DemoToyTraining, TrainsResumesExportsAndGenerates) {
    const auto dir = test::temp_dir("demo-toy");
    TrainOptions o;
    o.checkpoints = (dir / "ckpt").string();
    o.preset = "toy";
    o.plan_steps = 60;
    o.log_every = 10;
    o.workers = 1;
    o.threads = 1;  // tiny tensors: one thread, no OpenMP spinning on busy machines
    o.seed = 3;

    const auto vae = run_vae_stage(o);
    EXPECT_TRUE(vae.complete);
    EXPECT_EQ(vae.steps, 60);
    const auto vae_loss = csv_column(dir / "ckpt" / "vae_loss.csv", 3);
    ASSERT_GE(vae_loss.size(), 3u);
    EXPECT_LT(vae_loss.back(), 0.7 * vae_loss.front()) << "VAE loss did not go down";

    o.plan_steps = 40;
    const auto first = run_text_dit_stage(o);
    EXPECT_EQ(first.steps, 40);
    o.plan_steps = 60;
    o.resume = true;
    const auto second = run_text_dit_stage(o);
    EXPECT_EQ(second.steps, 60);
    EXPECT_TRUE(second.complete);
    const auto dit_loss = csv_column(dir / "ckpt" / "text_dit_loss.csv", 3);
    const auto steps = csv_column(dir / "ckpt" / "text_dit_loss.csv", 0);
    ASSERT_GE(dit_loss.size(), 4u);
    EXPECT_EQ(steps.back(), 60.0);  // the resumed run appended to the same log
    EXPECT_LT(dit_loss.back(), dit_loss.front()) << "flow-matching loss did not go down";

    const auto model = dir / "model";
    EXPECT_GT(export_demo_model({o.checkpoints, model.string(), false}), 0);
    const auto folder = discover_model_folder(model.string());
    EXPECT_EQ(folder.layout, FolderLayout::Official);
    EXPECT_FALSE(folder.require(ComponentKind::TextEncoder).tokenizer_model.empty());

    Pipeline pipeline;
    GenerationParams p;
    p.model_dir = model.string();
    p.prompt = "<character_1><n>$character_1$</n><gender>1girl</gender><appearance>blue_hair, long_hair, red_eyes"
               "</appearance></character_1><general_tags><background>white_background</background></general_tags>";
    p.steps = 4;
    p.cfg_scale = 4.0f;
    p.width = p.height = 64;
    p.preview = false;
    const auto result = pipeline.run(p, {}, CancelToken());
    EXPECT_EQ(result.image.width, 64);
    EXPECT_EQ(result.image.height, 64);
    EXPECT_TRUE(result.report.first_nonfinite_stage.empty());
    test::remove_tree(dir);
}
