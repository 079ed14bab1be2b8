#include <gtest/gtest.h>

#include <fstream>

#include "../TestSupport.h"
#include "studio/Errors.h"
#include "studio/ModelDefaults.h"

using namespace studio;

namespace {
std::filesystem::path folder_with_index(const std::string& name, const std::string& block) {
    const auto dir = test::temp_dir(name);
    std::ofstream(dir / "model_index.json") << R"({"_class_name": "NewbiePipeline", "_precision_studio": )" << block << "}";
    return dir;
}
}  // namespace

TEST(ModelDefaults, TheDemoModelDeclaresWhatItWasTrainedFor) {
    const auto d = read_declared_defaults((test::source_dir() / "resources/models/newbie-demo").string());
    ASSERT_TRUE(d.width && d.height && d.steps && d.cfg && d.sampler);
    EXPECT_EQ(*d.width, 256);
    EXPECT_EQ(*d.height, 256);
    EXPECT_EQ(*d.steps, 20);
    EXPECT_FLOAT_EQ(*d.cfg, 4.0f);
    EXPECT_EQ(*d.sampler, SamplerKind::Euler);
    EXPECT_TRUE(d.attribute_probe);
}

TEST(ModelDefaults, FoldersWithoutTheBlockKeepTheBuiltInDefaults) {
    const auto dir = folder_with_index("defaults-none", R"({"prompt_layout": "compact_xml"})");
    const auto d = read_declared_defaults(dir.string());
    EXPECT_TRUE(d.empty());
    EXPECT_FALSE(d.attribute_probe);
    GenerationParams p;
    const auto origins = apply_defaults(p, {}, d);
    EXPECT_EQ(p.width, 1024);
    EXPECT_EQ(p.steps, 28);
    for (const auto& o : origins) EXPECT_EQ(o.source, SettingSource::BuiltIn) << o.name;
    EXPECT_TRUE(read_declared_defaults(test::temp_dir("defaults-empty").string()).empty());
    test::remove_tree(dir);
}

TEST(ModelDefaults, UserBeatsModelBeatsBuiltIn) {
    DeclaredDefaults model;
    model.width = model.height = 256;
    model.steps = 20;
    model.cfg = 4.0f;
    UserSettings user;
    user.steps = 8;
    GenerationParams p;
    const auto origins = apply_defaults(p, user, model);
    EXPECT_EQ(p.width, 256);
    EXPECT_EQ(p.height, 256);
    EXPECT_EQ(p.steps, 8);
    EXPECT_FLOAT_EQ(p.cfg_scale, 4.0f);
    EXPECT_EQ(p.sampler, SamplerKind::Euler);
    EXPECT_EQ(describe(origins), "256x256 (model), steps 8 (user), cfg 4 (model), sampler euler (built-in)");
}

TEST(ModelDefaults, MalformedValuesNameFileAndKey) {
    const auto dir = folder_with_index("defaults-bad", R"({"steps": "twenty"})");
    try {
        read_declared_defaults(dir.string());
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("model_index.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("steps"), std::string::npos) << e.what();
    }
    const auto dir2 = folder_with_index("defaults-bad2", R"({"sampler": "ddim"})");
    EXPECT_THROW(read_declared_defaults(dir2.string()), ConfigError);
    test::remove_tree(dir);
    test::remove_tree(dir2);
}

TEST(ModelDefaults, WarnsWhenTheSizeIsFarFromTheDeclaredOne) {
    DeclaredDefaults model;
    model.width = model.height = 256;
    EXPECT_TRUE(size_warning(256, 256, model).empty());
    EXPECT_TRUE(size_warning(512, 512, model).empty());  // exactly 4x: allowed
    const auto w = size_warning(1024, 1024, model);      // 16x
    EXPECT_NE(w.find("256x256"), std::string::npos) << w;
    EXPECT_FALSE(size_warning(64, 64, model).empty());   // 16x smaller
    EXPECT_TRUE(size_warning(1024, 1024, DeclaredDefaults{}).empty());
}
