// Pure-logic and small numeric tests: config parsing, key renaming, random weights, blocks,
// latent preview.
#include <gtest/gtest.h>

#include "VaeTestUtil.h"
#include "studio/Errors.h"
#include "studio/vae/Vae.h"

namespace studio {
namespace {

TEST(VaeConfigTest, FluxDefaultsAndCounts) {
    const VaeConfig flux;  // struct defaults = FLUX.1 VAE
    EXPECT_EQ(flux.downscale(), 8);
    // diffusers' AutoencoderKL for FLUX.1 has 83,819,683 parameters.
    EXPECT_EQ(flux.parameter_count(), 83819683);
    const auto j = flux.to_json();
    EXPECT_EQ(j["block_out_channels"], nlohmann::json({128, 256, 512, 512}));
    EXPECT_EQ(j["up_block_types"].size(), 4u);
    const auto back = VaeConfig::from_json(j);
    EXPECT_EQ(back.to_json(), j);
}

TEST(VaeConfigTest, AbsentKeysTakeDiffusersDefaults) {
    const auto c = VaeConfig::from_json(nlohmann::json{{"block_out_channels", {64, 128}}, {"latent_channels", 4}});
    EXPECT_EQ(c.norm_num_groups, 32);
    EXPECT_EQ(c.layers_per_block, 1);
    EXPECT_TRUE(c.use_quant_conv);
    EXPECT_TRUE(c.use_post_quant_conv);
    EXPECT_DOUBLE_EQ(c.scaling_factor, 0.18215);
    EXPECT_DOUBLE_EQ(c.shift_factor, 0.0);
    // With quant convs the shape list grows by both 1x1 convs.
    const auto shapes = vae_parameter_shapes(c);
    EXPECT_EQ(shapes.back().first, "post_quant_conv.bias");
    const auto with_null_shift = VaeConfig::from_json(nlohmann::json{{"shift_factor", nullptr}});
    EXPECT_DOUBLE_EQ(with_null_shift.shift_factor, 0.0);
}

TEST(VaeConfigTest, InvalidConfigsThrowModelLoadError) {
    using J = nlohmann::json;
    EXPECT_THROW(VaeConfig::from_json(J{{"block_out_channels", {48, 64}}, {"norm_num_groups", 32}}), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J{{"block_out_channels", J::array()}}), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J{{"latent_channels", -1}}), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J{{"latent_channels", "16"}}), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J{{"act_fn", "gelu"}}), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J{{"_class_name", "AutoencoderTiny"}}), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J{{"block_out_channels", {64}}, {"up_block_types", {"UpDecoderBlock2D", "X"}}}),
                 ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json(J::array()), ModelLoadError);
    EXPECT_THROW(VaeConfig::from_json_file("/nonexistent/config.json"), ModelLoadError);
}

TEST(VaeKeysTest, BflNames) {
    EXPECT_EQ(vae_bfl_key("decoder.conv_in.weight", 4), "decoder.conv_in.weight");
    EXPECT_EQ(vae_bfl_key("decoder.conv_norm_out.bias", 4), "decoder.norm_out.bias");
    EXPECT_EQ(vae_bfl_key("decoder.mid_block.resnets.1.norm2.weight", 4), "decoder.mid.block_2.norm2.weight");
    EXPECT_EQ(vae_bfl_key("encoder.mid_block.attentions.0.to_out.0.bias", 4), "encoder.mid.attn_1.proj_out.bias");
    EXPECT_EQ(vae_bfl_key("decoder.mid_block.attentions.0.group_norm.weight", 4), "decoder.mid.attn_1.norm.weight");
    EXPECT_EQ(vae_bfl_key("decoder.up_blocks.0.resnets.2.conv1.weight", 4), "decoder.up.3.block.2.conv1.weight");
    EXPECT_EQ(vae_bfl_key("decoder.up_blocks.2.resnets.0.conv_shortcut.weight", 4),
              "decoder.up.1.block.0.nin_shortcut.weight");
    EXPECT_EQ(vae_bfl_key("decoder.up_blocks.1.upsamplers.0.conv.bias", 4), "decoder.up.2.upsample.conv.bias");
    EXPECT_EQ(vae_bfl_key("encoder.down_blocks.1.downsamplers.0.conv.weight", 4), "encoder.down.1.downsample.conv.weight");
    EXPECT_EQ(vae_bfl_key("encoder.down_blocks.3.resnets.1.norm1.bias", 4), "encoder.down.3.block.1.norm1.bias");
    EXPECT_EQ(vae_bfl_key("quant_conv.weight", 4), "quant_conv.weight");
    // Unknown or out-of-range keys have no BFL name.
    EXPECT_EQ(vae_bfl_key("decoder.up_blocks.4.resnets.0.conv1.weight", 4), "");
    EXPECT_EQ(vae_bfl_key("decoder.mid_block.attentions.0.to_out", 4), "");
    EXPECT_EQ(vae_bfl_key("text.encoder.weight", 4), "");
    EXPECT_EQ(vae_bfl_key("", 4), "");
}

TEST(VaeWeightsTest, RandomWeightsAreDeterministicAndLoadable) {
    VaeConfig c;
    c.block_out_channels = {32, 32, 64};
    c.layers_per_block = 1;
    c.norm_num_groups = 16;
    const auto a = random_vae_weights(c, 42);
    const auto b = random_vae_weights(c, 42);
    const auto other = random_vae_weights(c, 43);
    const auto shapes = vae_parameter_shapes(c);
    ASSERT_EQ(a.size(), shapes.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].first, shapes[i].first);
        EXPECT_EQ(a[i].second.sizes().vec(), shapes[i].second);
        EXPECT_EQ(a[i].second.scalar_type(), torch::kFloat32);
        EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
    }
    EXPECT_FALSE(torch::equal(a[1].second, other[1].second));

    auto vae = make_vae(c, a, Numerics::fp32_cpu(), true);
    const auto image = vae_decode_image(vae, torch::randn({2, c.latent_channels, 3, 4}));
    EXPECT_EQ(image.sizes().vec(), (std::vector<int64_t>{2, 3, 12, 16}));
    EXPECT_TRUE(torch::isfinite(image).all().item<bool>());
    const auto latent = vae_encode_latent(vae, torch::rand({1, 3, 16, 20}) * 2 - 1);
    EXPECT_EQ(latent.sizes().vec(), (std::vector<int64_t>{1, c.latent_channels, 4, 5}));
}

// Query chunking (for large mid blocks) must equal plain single-head attention.
TEST(VaeBlocksTest, ChunkedAttentionMatchesReference) {
    torch::manual_seed(3);
    const int64_t ch = 8, groups = 4, h = 24, w = 20;  // 480 tokens: 34 chunks of 14 queries + 4
    VaeAttention attn(ch, groups, Numerics::fp32_cpu(), 7000);
    {
        torch::NoGradGuard ng;
        for (auto& p : attn->parameters()) p.copy_(torch::randn(p.sizes()) * 0.3);
    }
    const auto x = torch::randn({1, ch, h, w});
    torch::Tensor out;
    {
        at::InferenceMode guard;
        out = attn->forward(x);
    }
    // Reference in fp64 with plain ops.
    auto p = attn->named_parameters();
    auto d = [&](const std::string& n) { return p[n].detach().to(torch::kFloat64); };
    const auto xd = x.to(torch::kFloat64);
    auto t = torch::group_norm(xd, groups, d("group_norm.weight"), d("group_norm.bias"), 1e-6);
    t = t.view({1, ch, h * w}).transpose(1, 2);
    const auto q = torch::linear(t, d("to_q.weight"), d("to_q.bias"));
    const auto k = torch::linear(t, d("to_k.weight"), d("to_k.bias"));
    const auto v = torch::linear(t, d("to_v.weight"), d("to_v.bias"));
    const auto probs = torch::softmax(torch::matmul(q, k.transpose(1, 2)) / std::sqrt(double(ch)), -1);
    auto o = torch::linear(torch::matmul(probs, v), d("to_out.0.weight"), d("to_out.0.bias"));
    const auto ref = o.transpose(1, 2).reshape({1, ch, h, w}) + xd;
    EXPECT_LE(test::rel_err(out, ref), 1e-5);
}

// Native reduced precision: GroupNorm statistics in fp32, the result rounded once.
TEST(VaeBlocksTest, GroupNormStatisticsInFp32) {
    const auto nx = Numerics::make(Precision::BF16, torch::kCPU, NumericsMode::Native);
    VaeGroupNorm norm(2, 4, nx);
    {
        torch::NoGradGuard ng;
        norm->weight.set_data(torch::tensor({1.5f, 0.5f, 1.0f, 2.0f}).to(torch::kBFloat16));
        norm->bias.set_data(torch::tensor({0.1f, -0.2f, 0.0f, 0.3f}).to(torch::kBFloat16));
    }
    const auto x = (torch::randn({1, 4, 8, 8}) * 50 + 100).to(torch::kBFloat16);  // large mean: bf16 stats would fail
    torch::Tensor y;
    {
        at::InferenceMode guard;
        y = norm->forward(x);
    }
    EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
    const auto ref = torch::group_norm(x.to(torch::kFloat32), 2, norm->weight.to(torch::kFloat32),
                                       norm->bias.to(torch::kFloat32), 1e-6)
                         .to(torch::kBFloat16);
    EXPECT_TRUE(torch::equal(y, ref));
}

TEST(VaePreviewTest, FluxFactorsOnZeroLatentGiveBiasColour) {
    const auto rgb = latent_preview_rgb(torch::zeros({1, 16, 5, 7}));
    ASSERT_EQ(rgb.sizes().vec(), (std::vector<int64_t>{5, 7, 3}));
    ASSERT_EQ(rgb.scalar_type(), torch::kUInt8);
    // bias (-0.0329, -0.0718, -0.0851) -> round((b + 1) / 2 * 255)
    EXPECT_EQ(rgb[2][3][0].item<uint8_t>(), 123);
    EXPECT_EQ(rgb[2][3][1].item<uint8_t>(), 118);
    EXPECT_EQ(rgb[2][3][2].item<uint8_t>(), 117);
    EXPECT_TRUE(torch::equal(rgb, rgb[0][0].expand({5, 7, 3})));
}

TEST(VaePreviewTest, ChannelCountsRangeAndNonFinite) {
    for (int64_t c : {4, 16, 32}) {
        const auto rgb = latent_preview_rgb(torch::randn({c, 6, 4}) * 3);
        ASSERT_EQ(rgb.sizes().vec(), (std::vector<int64_t>{6, 4, 3})) << c;
        EXPECT_GT(rgb.to(torch::kFloat32).std().item<float>(), 1.0f) << c;
        // Same input, same preview: the fallback projection is fixed.
        const auto z = torch::ones({1, c, 2, 2});
        EXPECT_TRUE(torch::equal(latent_preview_rgb(z), latent_preview_rgb(z))) << c;
    }
    auto z = torch::zeros({1, 16, 2, 2});
    z[0][3][1][0] = std::numeric_limits<float>::quiet_NaN();
    z[0][5][0][1] = std::numeric_limits<float>::infinity();
    const auto rgb = latent_preview_rgb(z);
    EXPECT_EQ(rgb[1][0][0].item<uint8_t>(), 128);
    EXPECT_EQ(rgb[0][1][2].item<uint8_t>(), 128);
    EXPECT_EQ(rgb[0][0][0].item<uint8_t>(), 123);
    EXPECT_THROW(latent_preview_rgb(torch::zeros({16, 4})), StudioError);
    EXPECT_THROW(latent_preview_rgb(torch::Tensor()), StudioError);
    EXPECT_THROW(latent_preview_rgb(torch::zeros({0, 16, 2, 2})), StudioError);
}

}  // namespace
}  // namespace studio
