// Pure-logic tests: config parsing, sizes, RoPE.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "TestSupport.h"
#include "studio/Errors.h"
#include "studio/dit/DitConfig.h"
#include "studio/dit/DitRope.h"
#include "studio/dit/NextDiT.h"

using namespace studio;

namespace {

// transformer/config.json as the official converter writes it (spec section 1.2).
const char* kConverterConfig = R"({"model_type":"nextdit_clip","patch_size":2,"dim":2304,"n_layers":36,"n_heads":24,
  "n_kv_heads":8,"in_channels":16,"axes_dims":[32,32,32],"axes_lens":[1024,512,512],"clip_text_dim":1024,
  "clip_img_dim":1024,"_class_name":"NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP"})";

const char* kDiffusersConfig = R"({"_class_name":"Lumina2Transformer2DModel","sample_size":128,"patch_size":2,
  "in_channels":16,"out_channels":null,"hidden_size":2304,"num_layers":36,"num_refiner_layers":2,
  "num_attention_heads":24,"num_kv_heads":8,"multiple_of":256,"ffn_dim_multiplier":null,"norm_eps":1e-5,
  "scaling_factor":1.0,"axes_dim_rope":[32,32,32],"axes_lens":[1024,512,512],"cap_feat_dim":2560,
  "pooled_projection_dim":1024})";

}  // namespace

TEST(DitConfig, ConverterFormatUsesClassDefaultsAndCallerCapDim) {
    const auto c = DitConfig::from_json(nlohmann::json::parse(kConverterConfig), 2560);
    EXPECT_FALSE(c.diffusers_naming);
    EXPECT_EQ(c.dim, 2304);
    EXPECT_EQ(c.n_refiner_layers, 2);
    EXPECT_EQ(c.head_dim(), 96);
    EXPECT_EQ(c.n_rep(), 3);
    EXPECT_EQ(c.ffn_hidden(), 9216);
    EXPECT_EQ(c.adaln_dim(), 1024);
    EXPECT_EQ(c.cap_feat_dim, 2560);
    EXPECT_DOUBLE_EQ(c.norm_eps, 1e-5);
    EXPECT_DOUBLE_EQ(c.qk_norm_eps, 1e-6);
    EXPECT_TRUE(c.qk_norm);
    // Computed from the spec's tensor table (norm_final.weight excluded: the module does not hold it).
    EXPECT_EQ(c.parameter_count(), 3486633792LL);
    const auto other = DitConfig::from_json(nlohmann::json::parse(kConverterConfig), 3072);
    EXPECT_EQ(other.cap_feat_dim, 3072);
}

TEST(DitConfig, DiffusersFormatDescribesTheSameModel) {
    const auto d = DitConfig::from_json(nlohmann::json::parse(kDiffusersConfig));
    const auto c = DitConfig::from_json(nlohmann::json::parse(kConverterConfig), 2560);
    EXPECT_TRUE(d.diffusers_naming);
    EXPECT_EQ(d.dim, c.dim);
    EXPECT_EQ(d.n_layers, c.n_layers);
    EXPECT_EQ(d.n_kv_heads, c.n_kv_heads);
    EXPECT_EQ(d.clip_text_dim, c.clip_text_dim);
    EXPECT_EQ(d.axes_dims, c.axes_dims);
    EXPECT_EQ(d.parameter_count(), c.parameter_count());
}

TEST(DitConfig, FfnMultiplierRoundsUpToMultipleOf) {
    auto j = nlohmann::json::parse(kConverterConfig);
    j["dim"] = 40;
    j["n_heads"] = 4;
    j["n_kv_heads"] = 2;
    j["axes_dims"] = {2, 4, 4};
    EXPECT_EQ(DitConfig::from_json(j).ffn_hidden(), 256);
    j["ffn_dim_multiplier"] = 2.0;
    j["multiple_of"] = 64;
    EXPECT_EQ(DitConfig::from_json(j).ffn_hidden(), 320);  // int(2 * 160) = 320
}

TEST(DitConfig, JsonRoundTrip) {
    auto c = DitConfig::from_json(nlohmann::json::parse(kConverterConfig), 64);
    c.ffn_dim_multiplier = 1.5;
    c.qk_norm_eps = 2e-6;
    const auto back = DitConfig::from_json(c.to_json());
    EXPECT_EQ(back.to_json(), c.to_json());
    EXPECT_EQ(back.cap_feat_dim, 64);
    EXPECT_DOUBLE_EQ(*back.ffn_dim_multiplier, 1.5);
}

TEST(DitConfig, InvalidConfigsAreRejected) {
    auto j = nlohmann::json::parse(kConverterConfig);
    j["axes_dims"] = {32, 32, 30};  // sum 94 != head_dim 96
    EXPECT_THROW(DitConfig::from_json(j), ConfigError);
    j = nlohmann::json::parse(kConverterConfig);
    j["n_kv_heads"] = 7;
    EXPECT_THROW(DitConfig::from_json(j), ConfigError);
    j = nlohmann::json::parse(kConverterConfig);
    j.erase("dim");
    EXPECT_THROW(DitConfig::from_json(j), ConfigError);
    j = nlohmann::json::parse(kConverterConfig);
    j["n_layers"] = "many";
    EXPECT_THROW(DitConfig::from_json(j), ConfigError);

    const auto dir = studio::test::temp_dir("dit-config");
    const auto path = (dir / "config.json").string();
    std::ofstream(path) << R"({"n_layers": 2})";
    try {
        DitConfig::from_json_file(path);
        FAIL() << "expected ModelLoadError";
    } catch (const ModelLoadError& e) {
        EXPECT_EQ(e.file(), path);
        EXPECT_NE(std::string(e.what()).find("dim"), std::string::npos);
    }
}

TEST(DitRope, MatchesComplexProductOfReferenceTable) {
    const std::vector<int64_t> axes{2, 4, 4};
    torch::manual_seed(3);
    const auto ids = torch::randint(0, 30, {2, 7, 3}, torch::kInt64);
    const auto x = torch::randn({2, 7, 3, 10});
    const auto rope = rope_tables(ids, axes, 10000.0);
    const auto ours = apply_rope(x, rope, Numerics::fp32_cpu());

    // Reference: freqs_cis = polar(1, float32(pos * theta^(-2k/d))) per axis, x as complex pairs.
    std::vector<torch::Tensor> cis;
    for (size_t a = 0; a < axes.size(); ++a) {
        const auto k = torch::arange(0, axes[a], 2, torch::kFloat64);
        const auto freqs = 1.0 / torch::pow(10000.0, k / static_cast<double>(axes[a]));
        const auto ang = (ids.select(2, static_cast<int64_t>(a)).to(torch::kFloat64).unsqueeze(-1) * freqs).to(torch::kFloat32);
        cis.push_back(torch::polar(torch::ones_like(ang), ang));
    }
    const auto f = torch::cat(cis, -1).unsqueeze(2);
    const auto xc = torch::view_as_complex(x.reshape({2, 7, 3, 5, 2}).contiguous());
    const auto ref = torch::view_as_real(xc * f).reshape({2, 7, 3, 10});
    EXPECT_TRUE(torch::allclose(ours, ref, 1e-6, 1e-6)) << (ours - ref).abs().max().item<float>();

    // Rows marked invalid get zero frequencies: their q/k vanish, as in the reference.
    auto valid = torch::ones({2, 7}, torch::kBool);
    valid.index_put_({1, 6}, false);
    const auto masked = apply_rope(x, rope_tables(ids, axes, 10000.0, valid), Numerics::fp32_cpu());
    EXPECT_EQ(masked[1][6].abs().max().item<float>(), 0.0f);
    EXPECT_TRUE(torch::equal(masked[0], ours[0]));
}

TEST(DitModule, ParameterNamesAndCountFollowTheConfig) {
    auto c = DitConfig::from_json(nlohmann::json::parse(kConverterConfig), 64);
    c.dim = 48;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.axes_dims = {4, 4, 4};
    c.n_layers = 3;
    c.clip_text_dim = 24;
    NextDiT m(c, Numerics::fp32_cpu());
    int64_t total = 0;
    std::set<std::string> names;
    for (const auto& p : m->named_parameters(true)) {
        total += p.value().numel();
        names.insert(p.key());
    }
    EXPECT_EQ(total, c.parameter_count());
    for (const char* key : {"x_embedder.weight", "t_embedder.mlp.2.bias", "cap_embedder.0.weight", "cap_embedder.1.bias",
                            "clip_text_pooled_proj.0.weight", "time_text_embed.1.weight", "layers.2.adaLN_modulation.1.weight",
                            "context_refiner.1.attention.qkv.weight", "noise_refiner.0.attention.k_norm.weight",
                            "final_layer.adaLN_modulation.1.bias", "final_layer.linear.weight"})
        EXPECT_TRUE(names.count(key)) << key;
    EXPECT_FALSE(names.count("context_refiner.0.adaLN_modulation.1.weight"));
    EXPECT_EQ(m->layers[0]->attention->qkv->weight.size(0), (4 + 2 * 2) * 12);
}

TEST(DitModule, RightPaddingSlicesKeysLikeTheMaskDoes) {
    auto c = DitConfig::from_json(nlohmann::json::parse(kConverterConfig), 64);
    c.dim = 48;
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.axes_dims = {4, 4, 4};
    const auto nx = Numerics::fp32_cpu();
    JointAttention attn(c);
    torch::manual_seed(5);
    for (auto& p : attn->named_parameters(true)) p.value().set_data(torch::randn(p.value().sizes()) * 0.3);
    const int64_t B = 3, S = 9;
    const auto x = torch::randn({B, S, c.dim});
    const auto ids = torch::randint(0, 20, {B, S, 3}, torch::kInt64);
    const auto rope = rope_tables(ids, c.axes_dims, c.rope_theta);
    const auto mask = torch::arange(S).unsqueeze(0) < torch::tensor({9, 4, 1}).unsqueeze(1);

    const auto keys = KeyMask::from_mask(mask);
    ASSERT_EQ(keys.lengths, (std::vector<int64_t>{9, 4, 1}));
    const auto sliced = attn->forward(x, keys, rope, nx);
    const auto masked = attn->forward(x, KeyMask{mask, {}}, rope, nx);
    EXPECT_TRUE(torch::allclose(sliced, masked, 1e-5, 1e-6)) << (sliced - masked).abs().max().item<float>();
    // The unmasked sample equals a run without any mask; a mask with a hole is kept as a mask.
    EXPECT_TRUE(torch::allclose(sliced[0], attn->forward(x, KeyMask{}, rope, nx)[0], 1e-5, 1e-6));
    auto holes = mask.clone();
    holes.index_put_({0, 3}, false);
    const auto km = KeyMask::from_mask(holes);
    EXPECT_TRUE(km.lengths.empty());
    EXPECT_TRUE(km.mask.defined());
    EXPECT_TRUE(KeyMask::from_mask(torch::ones({2, 3}, torch::kBool)).all());
}
