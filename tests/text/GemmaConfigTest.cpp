// GemmaConfig: both config.json key styles, defaults of the real checkpoint, round trips.
#include <gtest/gtest.h>

#include "TextTestUtil.h"
#include "studio/Errors.h"
#include "studio/text/GemmaConfig.h"

namespace studio {
namespace {

using namespace studio::test;

nlohmann::json fixture_config() {
    return read_json_file((fixtures_dir() / "gemma3" / "text_encoder" / "config.json").string());
}

// What the hub's gemma-3-4b-it config.json lists; everything else is a transformers default.
const char* kGemma4bConfig = R"({
  "architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
  "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                  "num_hidden_layers": 34, "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                  "sliding_window": 1024},
  "vision_config": {"model_type": "siglip_vision_model"}})";

TEST(GemmaConfig, FixtureConfigAgreesWithWeightsAndOracle) {
    const auto c = GemmaConfig::from_json_file((fixtures_dir() / "gemma3" / "text_encoder" / "config.json").string());
    const auto weights = read_tensors(fixtures_dir() / "gemma3" / "text_encoder" / "model.safetensors");
    const std::string p = "language_model.model.";
    const auto embed = tensor_of(weights, p + "embed_tokens.weight");
    EXPECT_EQ(c.vocab_size, embed.size(0));
    EXPECT_EQ(c.hidden_size, embed.size(1));
    EXPECT_EQ(c.head_dim, tensor_of(weights, p + "layers.0.self_attn.q_norm.weight").size(0));
    EXPECT_EQ(c.num_heads * c.head_dim, tensor_of(weights, p + "layers.0.self_attn.q_proj.weight").size(0));
    EXPECT_EQ(c.num_kv_heads * c.head_dim, tensor_of(weights, p + "layers.0.self_attn.k_proj.weight").size(0));
    EXPECT_EQ(c.intermediate_size, tensor_of(weights, p + "layers.0.mlp.gate_proj.weight").size(0));
    int64_t numel = 0;
    for (const auto& kv : weights) numel += kv.second.numel();
    EXPECT_EQ(c.parameter_count(), numel);

    // The oracle's own flat Gemma3TextConfig (v5 keys only) describes the same model.
    const auto oracle = read_json_file((fixtures_dir() / "gemma3" / "oracle_text_config.json").string());
    EXPECT_EQ(GemmaConfig::from_json(oracle), c);
    ASSERT_EQ(c.layer_is_global.size(), oracle["layer_types"].size());
    for (size_t i = 0; i < c.layer_is_global.size(); ++i)
        EXPECT_EQ(c.layer_is_global[i], oracle["layer_types"][i] == "full_attention");
    EXPECT_EQ(c.rope_global_scaling, oracle["rope_parameters"]["full_attention"]["factor"].get<double>());
    EXPECT_EQ(c.rope_local_theta, oracle["rope_parameters"]["sliding_attention"]["rope_theta"].get<double>());
    EXPECT_EQ(c.sliding_window, oracle["sliding_window"].get<int64_t>());
}

TEST(GemmaConfig, HubAndV5KeyStylesAgree) {
    const auto both = fixture_config();
    const auto reference = GemmaConfig::from_json(both);
    auto hub = both;
    hub["text_config"].erase("layer_types");
    hub["text_config"].erase("rope_parameters");
    EXPECT_EQ(GemmaConfig::from_json(hub), reference);
    auto v5 = both;
    for (const char* k : {"sliding_window_pattern", "rope_theta", "rope_local_base_freq", "rope_scaling"})
        v5["text_config"].erase(k);
    EXPECT_EQ(GemmaConfig::from_json(v5), reference);
    // Flat Gemma3TextConfig.
    EXPECT_EQ(GemmaConfig::from_json(both["text_config"]), reference);
}

TEST(GemmaConfig, RealCheckpointDefaults) {
    const auto c = GemmaConfig::from_json(nlohmann::json::parse(kGemma4bConfig));
    EXPECT_EQ(c.vocab_size, 262208);
    EXPECT_EQ(c.hidden_size, 2560);
    EXPECT_EQ(c.num_layers, 34);
    EXPECT_EQ(c.num_heads, 8);
    EXPECT_EQ(c.num_kv_heads, 4);
    EXPECT_EQ(c.head_dim, 256);
    EXPECT_EQ(c.query_pre_attn_scalar, 256.0);
    EXPECT_EQ(c.sliding_window, 1024);
    EXPECT_EQ(c.rope_local_theta, 10000.0);
    EXPECT_EQ(c.rope_global_theta, 1e6);
    EXPECT_EQ(c.rope_global_scaling, 8.0);
    std::vector<int64_t> globals;
    for (int64_t i = 0; i < c.num_layers; ++i)
        if (c.layer_is_global[i]) globals.push_back(i);
    EXPECT_EQ(globals, (std::vector<int64_t>{5, 11, 17, 23, 29}));
    EXPECT_EQ(c.parameter_count(), 3880263168LL);  // text model of gemma-3-4b-it
}

TEST(GemmaConfig, JsonRoundTrip) {
    for (const auto& j : {fixture_config(), nlohmann::json::parse(kGemma4bConfig)}) {
        const auto c = GemmaConfig::from_json(j);
        EXPECT_EQ(GemmaConfig::from_json(c.to_json()), c);
        // Readers that know only one key style see the same model.
        auto hub = c.to_json();
        hub["text_config"].erase("layer_types");
        hub["text_config"].erase("rope_parameters");
        EXPECT_EQ(GemmaConfig::from_json(hub), c);
    }
}

TEST(GemmaConfig, RejectsInconsistentConfigs) {
    auto expect_error = [](nlohmann::json j, const char* what) {
        EXPECT_THROW(GemmaConfig::from_json(j, "config.json"), ModelLoadError) << what;
    };
    auto j = fixture_config();
    j["text_config"]["layer_types"].push_back("full_attention");
    expect_error(j, "layer_types longer than num_hidden_layers");
    j = fixture_config();
    j["text_config"]["rope_parameters"]["full_attention"]["rope_type"] = "yarn";
    expect_error(j, "unsupported rope type");
    j = fixture_config();
    j["text_config"]["num_key_value_heads"] = 3;
    expect_error(j, "heads not a multiple of kv heads");
    j = fixture_config();
    j["text_config"]["model_type"] = "gemma2";
    expect_error(j, "other model type");
    j = fixture_config();
    j["text_config"]["attn_logit_softcapping"] = 50.0;
    expect_error(j, "soft-capping");
    j = fixture_config();
    j["text_config"] = "oops";
    expect_error(j, "text_config not an object");
    j = fixture_config();
    j["text_config"]["hidden_size"] = "big";
    try {
        GemmaConfig::from_json(j, "config.json");
        FAIL() << "expected ModelLoadError";
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.file(), "config.json");
        EXPECT_NE(std::string(e.what()).find("hidden_size"), std::string::npos);
    }
    EXPECT_THROW(GemmaConfig::from_json_file("/nonexistent/config.json"), ModelLoadError);
}

}  // namespace
}  // namespace studio
