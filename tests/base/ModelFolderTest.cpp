// Model-folder discovery in both release layouts, sharded checkpoints and their failures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "TestSupport.h"
#include "studio/Errors.h"
#include "studio/ModelFolder.h"
#include "studio/ModuleLoader.h"
#include "studio/SafeTensors.h"

namespace fs = std::filesystem;
using namespace studio;

namespace {
void touch_weights(const fs::path& dir, const std::string& name = "model.safetensors") {
    fs::create_directories(dir);
    std::vector<std::byte> bytes(4);
    write_safetensors((dir / name).string(), {{"w", StDType::F32, {1}, bytes}});
    std::ofstream(dir / "config.json") << "{}";
}
}  // namespace

TEST(ModelFolder, FindsTheOfficialLayoutInTheFixtures) {
    // The fixture folders use the official component names.
    const auto fx = studio::test::fixtures_dir();
    const auto root = studio::test::temp_dir("mf-official");
    fs::create_directory_symlink(fx / "dit" / "transformer", root / "transformer");
    fs::create_directory_symlink(fx / "gemma3" / "text_encoder", root / "text_encoder");
    fs::create_directory_symlink(fx / "jina" / "clip_model", root / "clip_model");
    fs::create_directory_symlink(fx / "vae" / "vae", root / "vae");
    const auto folder = discover_model_folder(root.string());
    EXPECT_EQ(folder.layout, FolderLayout::Official);
    EXPECT_FALSE(folder.require(ComponentKind::Transformer).config_path.empty());
    EXPECT_EQ(folder.require(ComponentKind::Vae).weight_files.size(), 1u);
    EXPECT_EQ(folder.require(ComponentKind::Clip).kind, ComponentKind::Clip);
}

TEST(ModelFolder, FindsTheDiffusersLayout) {
    const auto root = studio::test::temp_dir("mf-diffusers");
    for (auto c : {"transformer", "text_encoder", "text_encoder_2", "vae"}) touch_weights(root / c);
    fs::create_directories(root / "tokenizer");
    std::ofstream(root / "tokenizer" / "tokenizer.json") << "{}";
    const auto folder = discover_model_folder(root.string());
    EXPECT_EQ(folder.layout, FolderLayout::Diffusers);
    EXPECT_EQ(fs::path(folder.require(ComponentKind::Clip).dir).filename(), "text_encoder_2");
    EXPECT_FALSE(folder.require(ComponentKind::TextEncoder).tokenizer_json.empty());
}

TEST(ModelFolder, MissingComponentNamesWhatWasExpected) {
    const auto root = studio::test::temp_dir("mf-missing");
    touch_weights(root / "transformer");
    const auto folder = discover_model_folder(root.string());
    try {
        folder.require(ComponentKind::Vae);
        FAIL();
    } catch (const ModelLoadError& e) {
        EXPECT_NE(std::string(e.what()).find("vae"), std::string::npos);
    }
    EXPECT_FALSE(folder.warnings.empty());
}

TEST(ModelFolder, EmptyOrMissingFolderIsAnError) {
    EXPECT_THROW(discover_model_folder("/nonexistent/model"), ModelLoadError);
    EXPECT_THROW(discover_model_folder(studio::test::temp_dir("mf-empty").string()), ModelLoadError);
}

TEST(ModelFolder, ShardedIndexListsEveryShard) {
    const auto dir = studio::test::temp_dir("mf-shards") / "text_encoder";
    touch_weights(dir, "model-00001-of-00002.safetensors");
    touch_weights(dir, "model-00002-of-00002.safetensors");
    std::ofstream(dir / "model.safetensors.index.json")
        << R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
    std::string index;
    const auto files = component_weight_files(dir.string(), &index);
    EXPECT_EQ(files.size(), 2u);
    EXPECT_FALSE(index.empty());
}

TEST(ModelFolder, IndexPointingAtMissingShardIsAnError) {
    const auto dir = studio::test::temp_dir("mf-missing-shard");
    touch_weights(dir, "model-00001-of-00002.safetensors");
    std::ofstream(dir / "model.safetensors.index.json")
        << R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
    try {
        component_weight_files(dir.string());
        FAIL();
    } catch (const ModelLoadError& e) {
        EXPECT_NE(std::string(e.what()).find("model-00002-of-00002"), std::string::npos);
    }
}

TEST(ModelFolder, CorruptIndexIsAnError) {
    const auto dir = studio::test::temp_dir("mf-bad-index");
    touch_weights(dir);
    std::ofstream(dir / "model.safetensors.index.json") << "{ not json";
    EXPECT_THROW(component_weight_files(dir.string()), ModelLoadError);
}

TEST(ModuleLoader, ShapeMismatchNamesTheTensor) {
    const auto dir = studio::test::temp_dir("ml-shape");
    const auto path = (dir / "w.safetensors").string();
    write_safetensors(path, {{"fc.weight", StDType::F32, {3, 2}, std::vector<std::byte>(24)},
                             {"fc.bias", StDType::F32, {3}, std::vector<std::byte>(12)}});
    torch::nn::Sequential wrong;
    struct Net : torch::nn::Module {
        Net(int out) { fc = register_module("fc", torch::nn::Linear(2, out)); }
        torch::nn::Linear fc{nullptr};
    };
    Net ok(3), bad(4);
    auto store = WeightStore::open({path});
    EXPECT_NO_THROW(load_module_weights(ok, store, Numerics::fp32_cpu()));
    try {
        load_module_weights(bad, store, Numerics::fp32_cpu());
        FAIL();
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.tensor(), "fc.weight");
        EXPECT_NE(std::string(e.what()).find("[3, 2]"), std::string::npos);
    }
}

TEST(ModelFolder, ReadsThePromptLayoutHintAndToleratesABadModelIndex) {
    const auto root = studio::test::temp_dir("mf-hint");
    touch_weights(root / "transformer", "diffusion_pytorch_model.safetensors");
    EXPECT_FALSE(discover_model_folder(root.string()).compact_xml_prompts);  // no model_index.json
    std::ofstream(root / "model_index.json") << R"({"_class_name": "NewbiePipeline", "_precision_studio": {"prompt_layout": "compact_xml"}})";
    EXPECT_TRUE(discover_model_folder(root.string()).compact_xml_prompts);
    std::ofstream(root / "model_index.json") << R"({"_precision_studio": {"prompt_layout": "as_typed"}})";
    EXPECT_FALSE(discover_model_folder(root.string()).compact_xml_prompts);
    std::ofstream(root / "model_index.json") << "{ truncated";
    const auto folder = discover_model_folder(root.string());
    EXPECT_FALSE(folder.compact_xml_prompts);
    ASSERT_FALSE(folder.warnings.empty());
    EXPECT_NE(folder.warnings.front().find("model_index.json"), std::string::npos) << folder.warnings.front();
    studio::test::remove_tree(root);
}

TEST(ModelFolder, IndexShardOutsideTheFolderIsRefused) {
    const auto root = studio::test::temp_dir("mf-escape");
    const auto dir = root / "transformer";
    touch_weights(dir, "model-00001-of-00001.safetensors");
    touch_weights(root, "outside.safetensors");  // exists, but not in the component folder
    for (const std::string shard : {"../outside.safetensors", "/etc/passwd", "sub/../../outside.safetensors"}) {
        std::ofstream(dir / "model.safetensors.index.json", std::ios::trunc)
            << nlohmann::json{{"weight_map", {{"w", shard}}}}.dump();
        try {
            component_weight_files(dir.string());
            FAIL() << shard << " was accepted";
        } catch (const ModelLoadError& e) {
            EXPECT_NE(std::string(e.what()).find("outside the component folder"), std::string::npos) << e.what();
            EXPECT_NE(e.file().find("model.safetensors.index.json"), std::string::npos);
            EXPECT_EQ(e.tensor(), "w");
        }
    }
}

TEST(ModelFolder, IndexWithoutShardsOrWithAFolderAsShardIsRefused) {
    const auto dir = studio::test::temp_dir("mf-empty-index");
    touch_weights(dir);
    std::ofstream(dir / "model.safetensors.index.json", std::ios::trunc) << R"({"weight_map":{}})";
    EXPECT_THROW(component_weight_files(dir.string()), ModelLoadError);
    std::filesystem::create_directories(dir / "shard.safetensors");
    std::ofstream(dir / "model.safetensors.index.json", std::ios::trunc) << R"({"weight_map":{"w":"shard.safetensors"}})";
    try {
        component_weight_files(dir.string());
        FAIL();
    } catch (const ModelLoadError& e) {
        EXPECT_NE(std::string(e.what()).find("shard.safetensors"), std::string::npos) << e.what();
    }
}

TEST(ModelFolder, UnlistableFolderIsAModelLoadError) {
    EXPECT_THROW(component_weight_files("/nonexistent/component"), ModelLoadError);
}
