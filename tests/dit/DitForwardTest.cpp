// NextDiT against the dit/ fixture (tiny NextDiT_CLIP, fp32 reference; see its README).
// Tolerance: relative error max|ours - exp| / max|exp| <= 1e-5 (measured <= 8.3e-7; 5.4e-6 against
// the diffusers model, whose q/k-norm eps differs).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>

#include "DitTestSupport.h"
#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/dit/NextDiT.h"

using namespace studio;
using namespace studio::test;

namespace {

constexpr double kTol = 1e-5;

class DitFixture : public ::testing::Test {
protected:
    void SetUp() override {
        configure_torch_threads();
        STUDIO_REQUIRE_FIXTURE(dit_dir() / "inputs.safetensors");
        in = load_tensors(dit_dir() / "inputs.safetensors");
        expected = load_tensors(dit_dir() / "expected.safetensors");
    }
    NextDiT load(const std::string& folder, Precision p = Precision::FP32) {
        return load_dit(transformer_component(folder), Numerics::make(p, torch::kCPU));
    }
    torch::Tensor velocity(NextDiT& m) {
        return m->forward(in["x"], in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]);
    }
    std::map<std::string, torch::Tensor> in, expected;
};

}  // namespace

TEST_F(DitFixture, VelocityOriginalWeights) {
    auto m = load("transformer");
    const auto v = velocity(m);
    EXPECT_EQ(v.scalar_type(), torch::kFloat32);
    const double err = rel_err(v, expected["velocity"]);
    const double err64 = rel_err(v, load_tensors(dit_dir() / "expected_fp64.safetensors")["velocity"]);
    std::printf("[dit] velocity (original names): rel err %.3e (vs fp64 %.3e)\n", err, err64);
    EXPECT_LE(err, kTol);
    EXPECT_LE(err64, kTol);
}

TEST_F(DitFixture, VelocityDiffusersWeights) {
    auto m = load("transformer_diffusers");
    EXPECT_TRUE(m->config().diffusers_naming);
    const auto v = velocity(m);
    const double err = rel_err(v, expected["velocity"]);
    const double err_lumina = rel_err(v, expected["velocity_diffusers_lumina2"]);
    std::printf("[dit] velocity (diffusers names): rel err %.3e (vs diffusers model %.3e)\n", err, err_lumina);
    EXPECT_LE(err, kTol);
    EXPECT_LE(err_lumina, kTol);  // the diffusers model differs only by q/k-norm eps (5e-6)

    // The remapped and re-fused weights are bit-identical to the original checkpoint's.
    auto original = load("transformer");
    const auto a = original->named_parameters(true);
    const auto b = m->named_parameters(true);
    ASSERT_EQ(a.size(), b.size());
    for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
}

TEST_F(DitFixture, IntermediatesMatchForwardHooks) {
    auto m = load("transformer");
    std::map<std::string, torch::Tensor> seen;
    m->set_trace([&](const std::string& name, const torch::Tensor& v) { seen[name] = v.clone(); });
    velocity(m);
    const auto inter = load_tensors(dit_dir() / "intermediates.safetensors");
    for (const char* key : {"t_embedder", "time_text_embed", "cap_embedder", "x_embedder", "final_layer"})
        EXPECT_TRUE(inter.count(key)) << "fixture lacks " << key;
    for (const auto& [name, exp] : inter) {
        ASSERT_TRUE(seen.count(name)) << "no trace for " << name;
        const double err = rel_err(seen[name], exp);
        std::printf("[dit] intermediate %-22s rel err %.3e\n", name.c_str(), err);
        EXPECT_LE(err, kTol) << name;
    }
}

TEST_F(DitFixture, ChunkedAttentionGivesTheSameResult) {
    auto m = load("transformer");
    const auto whole = velocity(m);
    m->set_attention_budget(16 << 10);  // ~30 query rows per chunk, a shorter last one
    const auto chunked = velocity(m);
    EXPECT_LE(rel_err(chunked, whole), 1e-6);
}

TEST_F(DitFixture, PaddedCaptionRowsDoNotMatter) {
    auto m = load("transformer");
    const auto base = velocity(m);
    // Five more garbage rows, masked out.
    const auto feats = in["cap_feats"], mask = in["cap_mask"];
    torch::manual_seed(11);
    const auto more_feats = torch::cat({feats, 10 * torch::randn({feats.size(0), 5, feats.size(2)})}, 1);
    const auto more_mask = torch::cat({mask, torch::zeros({mask.size(0), 5}, mask.options())}, 1);
    const auto longer = m->forward(in["x"], in["t"], more_feats, more_mask, in["clip_text_pooled"]);
    EXPECT_LE(rel_err(longer, base), 1e-6);
    // Other garbage in the rows that are already padded.
    const auto garbage = torch::where(mask.unsqueeze(-1).to(torch::kBool), feats, torch::randn_like(feats) * 7);
    EXPECT_FALSE(torch::equal(garbage, feats));
    const auto changed = m->forward(in["x"], in["t"], garbage, mask, in["clip_text_pooled"]);
    EXPECT_LE(rel_err(changed, base), 1e-6);
}

TEST_F(DitFixture, ReducedPrecisionStaysCloseToFp32) {
    std::map<Precision, double> errs;
    // Measured: bf16 1.04e-2, fp16 1.68e-3. The fp16 bound lies below the bf16 error.
    for (const auto& [p, bound] : {std::pair{Precision::BF16, 5e-2}, std::pair{Precision::FP16, 5e-3}}) {
        auto m = load("transformer", p);
        EXPECT_TRUE(m->numerics().emulated);
        // Weights are rounded to the storage dtype once at load.
        const auto w = m->layers[0]->attention->qkv->weight;
        EXPECT_TRUE(torch::equal(w, w.to(m->numerics().storage()).to(torch::kFloat32)));
        const auto v = velocity(m);
        ASSERT_TRUE(torch::isfinite(v).all().item<bool>());
        const double err = rel_err(v, expected["velocity"]);
        std::printf("[dit] velocity %s: rel err vs fp32 reference %.3e (bound %.0e)\n", m->numerics().label().c_str(), err,
                    bound);
        EXPECT_LT(err, bound);
        EXPECT_GT(err, 1e-6);  // the rounding really happened
        errs[p] = err;
    }
    // fp16 keeps 3 more mantissa bits than bf16: bf16 run in place of fp16 must not pass.
    EXPECT_LT(errs[Precision::FP16], errs[Precision::BF16] / 2);
}

TEST_F(DitFixture, CfgCases) {
    auto m = load("transformer");
    int64_t last_batch = 0;
    m->set_trace([&](const std::string& name, const torch::Tensor& v) {
        if (name == "t_embedder") last_batch = v.size(0);
    });
    const std::regex guided(R"(cfg__cfg([0-9.]+)_t([0-9.]+)_trunc([0-9.]+)_renorm([0-9.]+))");
    const std::regex raw(R"(cfg__raw_cond_uncond_t([0-9.]+))");
    int cases = 0;
    for (const auto& [name, exp] : expected) {
        std::smatch mt;
        torch::Tensor ours;
        if (std::regex_match(name, mt, guided)) {
            const CfgOptions cfg{std::stod(mt[1]), std::stod(mt[3]), std::stod(mt[4])};
            const double t = std::stod(mt[2]);
            ours = forward_with_cfg(m, in["cfg_x"], t, in["cfg_cap_feats"], in["cfg_cap_mask"], in["cfg_clip_text_pooled"], cfg);
            // Past the truncation only the cond half runs.
            EXPECT_EQ(last_batch, t < cfg.trunc ? exp.size(0) : exp.size(0) / 2) << name;
            EXPECT_TRUE(torch::equal(ours[0], ours[1]));
        } else if (std::regex_match(name, mt, raw)) {
            const auto x = in["cfg_x"];
            ours = m->forward(x, torch::full({x.size(0)}, std::stof(mt[1])), in["cfg_cap_feats"], in["cfg_cap_mask"],
                              in["cfg_clip_text_pooled"]);
        } else {
            continue;
        }
        const double err = rel_err(ours, exp);
        std::printf("[dit] %-36s rel err %.3e\n", name.c_str(), err);
        EXPECT_LE(err, kTol) << name;
        ++cases;
    }
    // Every cfg__ case of the file was recognised and run.
    int listed = 0;
    for (const auto& [name, exp] : expected) listed += name.rfind("cfg__", 0) == 0 ? 1 : 0;
    EXPECT_GT(cases, 0);
    EXPECT_EQ(cases, listed) << "cfg__ cases in expected.safetensors that no pattern matched";
}

TEST_F(DitFixture, ConfigThatDoesNotMatchTheWeightsNamesTheTensor) {
    const auto dir = temp_dir("dit-mismatch");
    auto component = transformer_component("transformer");
    const auto json = read_json_file(component.config_path);
    const auto expect_error = [&](const std::string& key, const nlohmann::json& value, const std::string& tensor) {
        auto j = json;
        j[key] = value;
        component.config_path = (dir / (key + ".json")).string();
        write_json_file(component.config_path, j);
        try {
            load_dit(component, Numerics::fp32_cpu());
            ADD_FAILURE() << key << " = " << value << " loaded";
        } catch (const ModelLoadError& e) {
            EXPECT_EQ(e.tensor(), tensor) << e.what();
            EXPECT_FALSE(e.file().empty());
        }
    };
    const int64_t dim = json["dim"].get<int64_t>();
    // Another divisor of n_heads than the fixture's n_kv_heads: the fused qkv rows change.
    const int64_t heads = json["n_heads"].get<int64_t>(), kv = json["n_kv_heads"].get<int64_t>();
    int64_t other_kv = 0;
    for (int64_t d = 1; d <= heads && other_kv == 0; ++d)
        if (heads % d == 0 && d != kv) other_kv = d;
    ASSERT_GT(other_kv, 0) << "n_heads " << heads << " has no second divisor";
    expect_error("n_kv_heads", other_kv, "noise_refiner.0.attention.qkv.weight");
    expect_error("clip_text_dim", json["clip_text_dim"].get<int64_t>() / 2, "time_text_embed.1.weight");
    expect_error("n_layers", json["n_layers"].get<int64_t>() + 1,
                 "layers." + std::to_string(json["n_layers"].get<int64_t>()) + ".attention.qkv.weight");
    expect_error("n_layers", json["n_layers"].get<int64_t>() - 1,
                 "layers." + std::to_string(json["n_layers"].get<int64_t>() - 1) + ".adaLN_modulation.1.bias");
    expect_error("multiple_of", 4 * dim + 8, "noise_refiner.0.feed_forward.w1.weight");
}

TEST_F(DitFixture, MissingTensorIsNamed) {
    const auto dir = temp_dir("dit-missing");
    // The last main layer, as the config counts them.
    const int64_t last = read_json_file(transformer_component("transformer").config_path)["n_layers"].get<int64_t>() - 1;
    for (const auto& [folder, drop] :
         {std::pair<std::string, std::string>{"transformer", "layers." + std::to_string(last) + ".feed_forward.w2.weight"},
          {"transformer_diffusers", "layers.0.attn.to_k.weight"}}) {
        const auto src = transformer_component(folder);
        auto all = load_tensors(src.weight_files.front());
        ASSERT_TRUE(all.erase(drop));
        std::vector<std::pair<std::string, torch::Tensor>> kept(all.begin(), all.end());
        std::filesystem::create_directories(dir / folder);
        save_tensors(dir / folder / "diffusion_pytorch_model.safetensors", kept);
        auto c = src;
        c.dir = (dir / folder).string();
        c.weight_files = component_weight_files(c.dir);
        try {
            load_dit(c, Numerics::fp32_cpu());
            ADD_FAILURE() << folder << " loaded without " << drop;
        } catch (const ModelLoadError& e) {
            EXPECT_EQ(e.tensor(), drop) << e.what();
        }
    }
}

TEST_F(DitFixture, CapFeatDimComesFromTheWeightsWhenTheConfigLacksIt) {
    auto c = transformer_component("transformer");
    auto j = read_json_file(c.config_path);
    const int64_t cap = j["cap_feat_dim"].get<int64_t>();
    j.erase("cap_feat_dim");
    c.config_path = (temp_dir("dit-capdim") / "config.json").string();
    write_json_file(c.config_path, j);
    EXPECT_EQ(load_dit(c, Numerics::fp32_cpu())->config().cap_feat_dim, cap);
    // A caller-supplied value wins over the weights, so a wrong one is reported.
    EXPECT_THROW(load_dit(c, Numerics::fp32_cpu(), cap + 1), ModelLoadError);
}

TEST_F(DitFixture, BadInputShapesThrow) {
    auto m = load("transformer");
    const auto x = in["x"];
    EXPECT_THROW(m->forward(x, in["t"], in["cap_feats"].narrow(2, 0, 8), in["cap_mask"], in["clip_text_pooled"]),
                 StudioError);
    EXPECT_THROW(m->forward(x.narrow(3, 0, x.size(3) - 1), in["t"], in["cap_feats"], in["cap_mask"], in["clip_text_pooled"]),
                 StudioError);
    EXPECT_THROW(forward_with_cfg(m, x.narrow(0, 0, 1), 0.5, in["cap_feats"].narrow(0, 0, 1),
                                  in["cap_mask"].narrow(0, 0, 1), in["clip_text_pooled"].narrow(0, 0, 1), {}),
                 StudioError);
}

TEST_F(DitFixture, RandomWeightsRoundTripThroughAFolder) {
    const auto config = load("transformer")->config();
    const auto w = random_dit_weights(config, 7);
    const auto again = random_dit_weights(config, 7);
    const auto other = random_dit_weights(config, 8);
    int64_t total = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        EXPECT_TRUE(torch::equal(w[i].second, again[i].second));
        total += w[i].second.numel();
    }
    EXPECT_FALSE(torch::equal(w[0].second, other[0].second));
    EXPECT_EQ(total, config.parameter_count() + config.dim);  // + the unused norm_final.weight

    const auto dir = temp_dir("dit-random") / "transformer";
    std::filesystem::create_directories(dir);
    write_json_file((dir / "config.json").string(), config.to_json());
    save_tensors(dir / "diffusion_pytorch_model.safetensors", w);
    ComponentFiles c;
    c.dir = dir.string();
    c.config_path = (dir / "config.json").string();
    c.weight_files = component_weight_files(c.dir);
    auto m = load_dit(c, Numerics::fp32_cpu());
    EXPECT_TRUE(torch::equal(m->x_embedder->weight, w[0].second));
    const auto v = velocity(m);
    EXPECT_TRUE(torch::isfinite(v).all().item<bool>());
    EXPECT_GT(v.abs().max().item<float>(), 0.0f);
}
