// JinaConfig: the fixture layout, the real jina-clip-v2 layout, round trips, rejections.
#include <gtest/gtest.h>

#include <set>

#include "TextTestUtil.h"
#include "studio/Errors.h"
#include "studio/text/JinaConfig.h"

namespace studio {
namespace {

using namespace studio::test;

nlohmann::json fixture_config() {
    return read_json_file((fixtures_dir() / "jina" / "clip_model" / "config.json").string());
}

// jina-clip-v2's config.json as published (text part): the backbone comes from jina-embeddings-v3.
const char* kJinaClipV2Config = R"({
  "architectures": ["JinaCLIPModel"], "model_type": "jina_clip", "add_projections": false,
  "projection_dim": 1024, "matryoshka_dimensions": [32, 64, 128, 256, 512, 768, 1024],
  "text_config": {"hf_model_name_or_path": "jinaai/jina-embeddings-v3", "embed_dim": 1024,
    "pooler_type": "mean_pooler", "proj_type": null, "proj_bias": false,
    "default_lora_task": "retrieval.query", "default_instruction_task": null,
    "hf_model_config_kwargs": {"load_trained_adapters": false, "lora_adaptations": ["retrieval.query"],
      "lora_rank": 4, "lora_alpha": 4, "lora_dropout_p": 0.0,
      "task_instructions": {"retrieval.query": "Represent the query for retrieving evidence documents: "},
      "use_flash_attn": true}},
  "torch_dtype": "bfloat16"})";

TEST(JinaConfig, FixtureConfigAgreesWithWeights) {
    const auto c = JinaConfig::from_json_file((fixtures_dir() / "jina" / "clip_model" / "config.json").string());
    const auto weights = read_tensors(fixtures_dir() / "jina" / "clip_model" / "model.safetensors");
    const std::string p = "text_model.transformer.roberta.";
    const std::string w = ".parametrizations.weight.original";
    const auto word = tensor_of(weights, p + "embeddings.word_embeddings" + w);
    EXPECT_EQ(c.vocab_size, word.size(0));
    EXPECT_EQ(c.hidden_size, word.size(1));
    EXPECT_EQ(c.type_vocab_size, tensor_of(weights, p + "embeddings.token_type_embeddings" + w).size(0));
    EXPECT_EQ(c.intermediate_size, tensor_of(weights, p + "encoder.layers.0.mlp.fc1" + w).size(0));
    EXPECT_EQ(c.lora_rank, tensor_of(weights, p + "encoder.layers.0.mlp.fc1.parametrizations.weight.0.lora_A").size(1));
    std::set<std::string> layers;
    int64_t numel = 0;
    for (const auto& [k, v] : weights) {
        const auto at = k.find("encoder.layers.");
        if (at != std::string::npos) layers.insert(k.substr(at, k.find('.', at + 15) - at));
        if (k.find("lora_") == std::string::npos) numel += v.numel();
    }
    EXPECT_EQ(c.num_layers, static_cast<int64_t>(layers.size()));
    EXPECT_EQ(c.parameter_count(), numel);

    const auto j = fixture_config();
    const auto& kwargs = j["text_config"]["hf_model_config_kwargs"];
    EXPECT_EQ(c.lora_alpha, kwargs["lora_alpha"].get<double>());
    EXPECT_EQ(c.rope_base, j["xlm_roberta_config"]["rotary_emb_base"].get<double>());
    EXPECT_EQ(c.pad_token_id, j["xlm_roberta_config"]["pad_token_id"].get<int64_t>());
    ASSERT_GE(c.lora_task_index, 0);
    EXPECT_EQ(c.lora_adaptations[c.lora_task_index], j["text_config"]["default_lora_task"].get<std::string>());
    EXPECT_EQ(c.head_dim() * c.num_heads, c.hidden_size);
}

TEST(JinaConfig, RealJinaClipV2Layout) {
    const auto c = JinaConfig::from_json(nlohmann::json::parse(kJinaClipV2Config));
    EXPECT_EQ(c.vocab_size, 250002);
    EXPECT_EQ(c.hidden_size, 1024);
    EXPECT_EQ(c.num_layers, 24);
    EXPECT_EQ(c.num_heads, 16);
    EXPECT_EQ(c.intermediate_size, 4096);
    EXPECT_EQ(c.type_vocab_size, 1);
    EXPECT_EQ(c.pad_token_id, 1);
    EXPECT_EQ(c.rope_base, 20000.0);
    EXPECT_EQ(c.lora_rank, 4);
    EXPECT_EQ(c.lora_alpha, 4.0);
    EXPECT_EQ(c.lora_scale(), 1.0);
    EXPECT_EQ(c.lora_task_index, 0);
    EXPECT_EQ(c.parameter_count(), 558314496LL);  // ~0.56 B, text tower of jina-clip-v2
}

TEST(JinaConfig, JsonRoundTrip) {
    for (const auto& j : {fixture_config(), nlohmann::json::parse(kJinaClipV2Config)}) {
        const auto c = JinaConfig::from_json(j);
        EXPECT_EQ(JinaConfig::from_json(c.to_json()), c);
    }
    auto c = JinaConfig::from_json(fixture_config());
    c.lora_task_index = -1;
    EXPECT_EQ(JinaConfig::from_json(c.to_json()), c);
}

TEST(JinaConfig, TaskSelection) {
    auto j = fixture_config();
    j["text_config"]["default_lora_task"] = nullptr;
    EXPECT_EQ(JinaConfig::from_json(j).lora_task_index, -1);
    j = nlohmann::json::parse(kJinaClipV2Config);
    j["text_config"]["hf_model_config_kwargs"]["lora_adaptations"] = {"retrieval.passage", "retrieval.query"};
    EXPECT_EQ(JinaConfig::from_json(j).lora_task_index, 1);
    // A plain XLM-RoBERTa config has no default task.
    EXPECT_EQ(JinaConfig::from_json(fixture_config()["xlm_roberta_config"]).lora_task_index, -1);
}

TEST(JinaConfig, RejectsUnsupportedConfigs) {
    auto expect_error = [](nlohmann::json j, const char* what) {
        EXPECT_THROW(JinaConfig::from_json(j, "config.json"), ModelLoadError) << what;
    };
    auto j = fixture_config();
    j["text_config"]["default_lora_task"] = "classification";
    expect_error(j, "unknown task");
    j = fixture_config();
    j["add_projections"] = true;
    expect_error(j, "projection");
    j = fixture_config();
    j["text_config"]["pooler_type"] = "cls_pooler";
    expect_error(j, "cls pooler");
    j = fixture_config();
    j["xlm_roberta_config"]["position_embedding_type"] = "absolute";
    expect_error(j, "absolute positions");
    j = fixture_config();
    j["xlm_roberta_config"]["num_attention_heads"] = 5;
    expect_error(j, "hidden not a multiple of heads");
    j = fixture_config();
    j["text_config"]["hf_model_config_kwargs"]["lora_rank"] = "four";
    expect_error(j, "wrong type");
}

}  // namespace
}  // namespace studio
