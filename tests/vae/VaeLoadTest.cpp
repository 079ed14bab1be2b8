// Loading: BFL ae.safetensors naming, config inference, prefixes, and typed errors for bad files.
#include <gtest/gtest.h>

#include <regex>

#include "VaeTestUtil.h"
#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/vae/Vae.h"

namespace studio {
namespace {

namespace fs = std::filesystem;
using test::read_tensors;
using test::vae_component;
using test::write_tensors;

// diffusers -> BFL names, written independently of the library's mapping (regex rewrites).
std::string to_bfl(std::string k, int64_t blocks) {
    k = std::regex_replace(k, std::regex(R"(mid_block\.resnets\.0\.)"), "mid.block_1.");
    k = std::regex_replace(k, std::regex(R"(mid_block\.resnets\.1\.)"), "mid.block_2.");
    k = std::regex_replace(k, std::regex(R"(mid_block\.attentions\.0\.group_norm\.)"), "mid.attn_1.norm.");
    k = std::regex_replace(k, std::regex(R"(mid_block\.attentions\.0\.to_out\.0\.)"), "mid.attn_1.proj_out.");
    k = std::regex_replace(k, std::regex(R"(mid_block\.attentions\.0\.to_([qkv])\.)"), "mid.attn_1.$1.");
    std::smatch m;
    if (std::regex_search(k, m, std::regex(R"(up_blocks\.(\d+)\.)"))) {
        const int64_t level = blocks - 1 - std::stoll(m[1].str());
        k = m.prefix().str() + "up." + std::to_string(level) + "." + m.suffix().str();
    }
    k = std::regex_replace(k, std::regex(R"(down_blocks\.)"), "down.");
    k = std::regex_replace(k, std::regex(R"(\.resnets\.)"), ".block.");
    k = std::regex_replace(k, std::regex(R"(\.upsamplers\.0\.)"), ".upsample.");
    k = std::regex_replace(k, std::regex(R"(\.downsamplers\.0\.)"), ".downsample.");
    k = std::regex_replace(k, std::regex(R"(conv_shortcut)"), "nin_shortcut");
    k = std::regex_replace(k, std::regex(R"(conv_norm_out)"), "norm_out");
    return k;
}

std::map<std::string, torch::Tensor> rename_to_bfl(const std::map<std::string, torch::Tensor>& w, int64_t blocks) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& [k, t] : w) {
        const bool attn_linear = k.find(".attentions.0.to_") != std::string::npos && t.dim() == 2;
        out[to_bfl(k, blocks)] = attn_linear ? t.reshape({t.size(0), t.size(1), 1, 1}) : t;
    }
    return out;
}

class VaeLoad : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = test::temp_dir("vae-load");
        m_weights = read_tensors(test::fixture_vae_component().weight_files.front());
        m_config = VaeConfig::from_json_file(test::fixture_vae_component().config_path);
        m_inputs = read_tensors(test::vae_fixture_dir() / "inputs.safetensors");
    }
    void TearDown() override { test::remove_tree(m_dir); }

    // A folder with the fixture config and the given weights; returns its component.
    ComponentFiles folder(const std::string& name, const std::map<std::string, torch::Tensor>& weights,
                          bool with_config = true, const std::string& file = "diffusion_pytorch_model.safetensors") {
        const auto dir = m_dir / name;
        fs::create_directories(dir);
        if (with_config) fs::copy_file(test::fixture_vae_component().config_path, dir / "config.json");
        write_tensors(dir / file, weights);
        return vae_component(dir, file, with_config);
    }

    fs::path m_dir;
    std::map<std::string, torch::Tensor> m_weights, m_inputs;
    VaeConfig m_config;
};

TEST_F(VaeLoad, BflNamingDecodesAndEncodesIdentically) {
    const auto blocks = static_cast<int64_t>(m_config.block_out_channels.size());
    const auto bfl = rename_to_bfl(m_weights, blocks);
    ASSERT_TRUE(bfl.count("decoder.mid.attn_1.proj_out.weight"));
    ASSERT_TRUE(bfl.count("decoder.up." + std::to_string(blocks - 1) + ".upsample.conv.weight"));
    auto a = load_vae(test::fixture_vae_component(), Numerics::fp32_cpu(), true);
    auto b = load_vae(folder("bfl", bfl, true, "ae.safetensors"), Numerics::fp32_cpu(), true);
    const auto z = m_inputs.at("z");
    EXPECT_TRUE(torch::equal(vae_decode_raw(a, z), vae_decode_raw(b, z)));
    const auto image = m_inputs.at("image");
    EXPECT_TRUE(torch::equal(vae_encode(a, image).mean, vae_encode(b, image).mean));
}

TEST_F(VaeLoad, LibraryBflKeysMatchIndependentRenaming) {
    const auto blocks = static_cast<int64_t>(m_config.block_out_channels.size());
    for (const auto& [k, t] : m_weights) EXPECT_EQ(vae_bfl_key(k, blocks), to_bfl(k, blocks)) << k;
}

TEST_F(VaeLoad, InfersConfigWithoutConfigJson) {
    VaeConfig c;  // FLUX layout, shrunk; norm groups must be the FLUX default (32) to be inferable
    c.block_out_channels = {32, 64};
    c.layers_per_block = 1;
    c.latent_channels = 4;
    const auto weights = random_vae_weights(c, 7);
    std::map<std::string, torch::Tensor> diff(weights.begin(), weights.end());
    for (bool bfl : {false, true}) {
        auto comp = folder(bfl ? "infer-bfl" : "infer-diffusers", bfl ? rename_to_bfl(diff, 2) : diff, false);
        auto vae = load_vae(comp, Numerics::fp32_cpu(), true);
        EXPECT_EQ(vae.config.to_json(), c.to_json()) << (bfl ? "bfl" : "diffusers");
        auto ref = make_vae(c, weights, Numerics::fp32_cpu());
        const auto z = torch::randn({1, 4, 3, 5});
        EXPECT_TRUE(torch::equal(vae_decode_raw(vae, z), vae_decode_raw(ref, z)));
    }
}

TEST_F(VaeLoad, StripsCheckpointPrefix) {
    std::map<std::string, torch::Tensor> prefixed;
    for (const auto& [k, t] : m_weights) prefixed["first_stage_model." + k] = t;
    auto vae = load_vae(folder("prefixed", prefixed), Numerics::fp32_cpu(), true);
    auto ref = load_vae(test::fixture_vae_component(), Numerics::fp32_cpu(), true);
    EXPECT_TRUE(torch::equal(vae_decode_raw(vae, m_inputs.at("z")), vae_decode_raw(ref, m_inputs.at("z"))));
}

TEST_F(VaeLoad, MissingTensorNamesIt) {
    // The last resnet of the last up block, named from the config (the decoder has
    // layers_per_block + 1 resnets per up block).
    const std::string key = "decoder.up_blocks." + std::to_string(m_config.block_out_channels.size() - 1) + ".resnets." +
                            std::to_string(m_config.layers_per_block) + ".conv2.weight";
    ASSERT_TRUE(m_weights.count(key));
    auto w = m_weights;
    w.erase(key);
    try {
        load_vae(folder("missing", w), Numerics::fp32_cpu());
        FAIL() << "no error for a missing tensor";
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.tensor(), key);
        EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
    }
}

TEST_F(VaeLoad, MissingBflTensorNamesItsBflName) {
    auto bfl = rename_to_bfl(m_weights, static_cast<int64_t>(m_config.block_out_channels.size()));
    const std::string key = "decoder.mid.attn_1.proj_out.bias";
    ASSERT_EQ(bfl.erase(key), 1u);
    try {
        load_vae(folder("missing-bfl", bfl), Numerics::fp32_cpu());
        FAIL() << "no error for a missing tensor";
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.tensor(), key);
    }
}

TEST_F(VaeLoad, ShapeMismatchNamesTensorAndFile) {
    const std::string key = "decoder.mid_block.attentions.0.to_q.weight";
    auto w = m_weights;
    w[key] = torch::zeros({w.at(key).size(0), w.at(key).size(1) + 1});
    const auto comp = folder("shape", w);
    try {
        load_vae(comp, Numerics::fp32_cpu());
        FAIL() << "no error for a wrong shape";
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.tensor(), key);
        EXPECT_EQ(e.file(), comp.weight_files.front());
    }
}

TEST_F(VaeLoad, ConfigThatDisagreesWithWeightsIsRejected) {
    const auto comp = folder("disagree", m_weights);
    auto j = read_json_file(comp.config_path);
    j["layers_per_block"] = m_config.layers_per_block - 1;  // weights have one more resnet per block
    write_json_file(comp.config_path, j);
    try {
        load_vae(comp, Numerics::fp32_cpu());
        FAIL() << "no error for a config that does not match the weights";
    } catch (const ModelLoadError& e) {
        EXPECT_NE(e.tensor().find("resnets"), std::string::npos) << e.what();
    }
}

TEST_F(VaeLoad, EncoderIsOptional) {
    auto w = m_weights;
    w.erase("encoder.conv_in.weight");  // irrelevant when only decoding
    auto vae = load_vae(folder("no-encoder", w), Numerics::fp32_cpu(), false);
    EXPECT_TRUE(vae.decoder);
    EXPECT_FALSE(vae.encoder);
    EXPECT_EQ(vae_decode_raw(vae, m_inputs.at("z")).size(1), m_config.out_channels);
    EXPECT_THROW(vae_encode(vae, m_inputs.at("image")), StudioError);
    EXPECT_THROW(load_vae(folder("no-encoder-2", w), Numerics::fp32_cpu(), true), ModelLoadError);
}

TEST_F(VaeLoad, BadInputsThrowTypedErrors) {
    auto vae = load_vae(test::fixture_vae_component(), Numerics::fp32_cpu(), true);
    EXPECT_THROW(vae_decode_raw(vae, torch::zeros({1, 3, 4, 4})), StudioError);  // wrong channel count
    EXPECT_THROW(vae_decode_raw(vae, torch::zeros({16, 4, 4})), StudioError);    // no batch dim
    EXPECT_THROW(vae_decode_raw(vae, torch::Tensor()), StudioError);
    EXPECT_THROW(vae_encode(vae, torch::zeros({1, 16, 8, 8})), StudioError);
    ComponentFiles empty;
    empty.dir = m_dir.string();
    EXPECT_THROW(load_vae(empty, Numerics::fp32_cpu()), ModelLoadError);
}

}  // namespace
}  // namespace studio
