// Recognising who wrote an image's settings, and restoring only what maps cleanly.
#include <gtest/gtest.h>

#include "studio/BlasCheck.h"
#include "studio/ImageSettings.h"
#include "studio/Infotext.h"
#include "studio/Provenance.h"

using namespace studio;

namespace {
// As AUTOMATIC1111's WebUI v1.10 writes it (quoted values, schedule type, hires fix).
const char* kA1111 =
    "masterpiece, 1girl, (blue hair:1.2)\n"
    "Negative prompt: lowres, bad anatomy\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 3141592653, Size: 832x1216, "
    "Model hash: 6ce0161689, Model: animagineXL, Denoising strength: 0.4, "
    "Lora hashes: \"detail: 1a2b3c4d5e, style: 0f0f0f0f0f\", Hires upscale: 1.5, Version: v1.10.1";

const char* kComfyPrompt = R"({
  "3": {"class_type": "KSampler", "inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8.0,
        "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
        "model": ["10", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
  "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
  "10": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "lora_name": "x.safetensors"}},
  "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 768, "batch_size": 1}},
  "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "beautiful scenery, glass bottle", "clip": ["4", 1]}},
  "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark", "clip": ["4", 1]}},
  "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}
})";

std::string field(const ImageSettings& s, const std::string& key) {
    for (const auto& [k, v] : s.fields)
        if (k == key) return v;
    return "<absent>";
}
}  // namespace

TEST(Infotext, QuotesLikeA1111AndParsesItBack) {
    EXPECT_EQ(infotext_quote("Euler"), "Euler");
    EXPECT_EQ(infotext_quote("a,b"), "\"a,b\"");
    EXPECT_EQ(infotext_quote("k: v"), "\"k: v\"");
    EXPECT_EQ(infotext_quote("say \"hi\", \\o/"), R"("say \"hi\", \\o/")");
    Infotext in;
    in.prompt = "line one\nline two";
    in.negative = "bad";
    in.fields = {{"Ab", "1"}, {"Odd", "x,\"y\"\\z\nw"}, {"Colon", "a: b"}, {"Last", "é, ü"}};
    const Infotext back = parse_infotext(format_infotext(in));
    EXPECT_EQ(back.prompt, in.prompt);
    EXPECT_EQ(back.negative, in.negative);
    EXPECT_EQ(back.fields, in.fields);
}

TEST(Infotext, FewerThanThreeItemsBelongToThePrompt) {
    const Infotext t = parse_infotext("a cat\nfoo: bar, baz: 1");
    EXPECT_EQ(t.prompt, "a cat\nfoo: bar, baz: 1");
    EXPECT_TRUE(t.fields.empty());
}

TEST(ImageSettings, OurOwnRecordRestoresEverything) {
    RunReport r;
    r.params.model_dir = "/m/newbie-demo";
    r.params.prompt = "1girl";
    r.params.seed = 5;
    r.params.sampler = SamplerKind::Midpoint;
    r.params.precision = PrecisionConfig::mixed();
    const ImageSettings s = read_image_settings(provenance_text(r));
    EXPECT_EQ(s.origin, SettingsOrigin::PrecisionStudio);
    EXPECT_FALSE(s.foreign());
    EXPECT_TRUE(s.has_report);
    EXPECT_EQ(s.params.precision, PrecisionConfig::mixed());
    EXPECT_EQ(s.params.sampler, SamplerKind::Midpoint);
    EXPECT_EQ(s.params.model_dir, "newbie-demo");

    // Our "parameters" line alone (e.g. after a tool stripped the JSON) is still ours.
    const ImageSettings line = read_image_settings({{kParametersKey, a1111_parameters(r.params, &r)}});
    EXPECT_EQ(line.origin, SettingsOrigin::PrecisionStudio);
    EXPECT_EQ(line.params.precision, PrecisionConfig::mixed());
    EXPECT_EQ(line.params.sampler, SamplerKind::Midpoint);
}

TEST(ImageSettings, A1111RecordIsForeignAndRestoresOnlyWhatMaps) {
    const ImageSettings s = read_image_settings({{kParametersKey, kA1111}});
    EXPECT_EQ(s.origin, SettingsOrigin::A1111);
    EXPECT_TRUE(s.foreign());
    EXPECT_EQ(s.tool, "AUTOMATIC1111 WebUI v1.10.1");
    EXPECT_EQ(s.params.prompt, "masterpiece, 1girl, (blue hair:1.2)");
    EXPECT_EQ(s.params.negative, "lowres, bad anatomy");
    EXPECT_EQ(s.params.seed, 3141592653ull);
    EXPECT_EQ(s.params.steps, 28);
    EXPECT_FLOAT_EQ(s.params.cfg_scale, 7.0f);
    EXPECT_EQ(s.params.width, 832);
    EXPECT_EQ(s.params.height, 1216);
    EXPECT_FALSE(s.restores("sampler"));   // DPM++ 2M has no equivalent
    EXPECT_FALSE(s.restores("precision"));  // the file holds none
    EXPECT_EQ(field(s, "Lora hashes"), "detail: 1a2b3c4d5e, style: 0f0f0f0f0f");
    EXPECT_EQ(field(s, "Model"), "animagineXL");
    EXPECT_NE(s.summary().find("another tool (AUTOMATIC1111 WebUI v1.10.1)"), std::string::npos) << s.summary();
    EXPECT_NE(s.summary().find("Sampler DPM++ 2M"), std::string::npos) << s.summary();

    const ImageSettings forge = read_image_settings({{kParametersKey, "x\nSteps: 4, Sampler: Euler, Seed: 1, Version: f2.0.1v1.10.1"}});
    EXPECT_EQ(forge.tool, "Forge f2.0.1v1.10.1");
    EXPECT_TRUE(forge.restores("sampler"));
}

TEST(ImageSettings, ComfyUiGraphIsFollowedFromTheSampler) {
    const ImageSettings s = read_image_settings({{"prompt", kComfyPrompt}, {"workflow", R"({"nodes":[{},{},{}]})"}});
    EXPECT_EQ(s.origin, SettingsOrigin::ComfyUI);
    EXPECT_EQ(s.params.prompt, "beautiful scenery, glass bottle");
    EXPECT_EQ(s.params.negative, "text, watermark");
    EXPECT_EQ(s.params.seed, 156680208700286ull);
    EXPECT_EQ(s.params.steps, 20);
    EXPECT_FLOAT_EQ(s.params.cfg_scale, 8.0f);
    EXPECT_EQ(s.params.width, 512);
    EXPECT_EQ(s.params.height, 768);
    EXPECT_TRUE(s.restores("sampler"));
    EXPECT_EQ(field(s, "Model"), "v1-5-pruned-emaonly.safetensors");  // through the LoRA loader
    EXPECT_EQ(field(s, "Workflow"), "3 nodes");
    EXPECT_EQ(field(s, "Scheduler"), "normal");
    EXPECT_FALSE(s.restores("precision"));
}

TEST(ImageSettings, BrokenForeignRecordsNeverThrow) {
    for (const char* bad : {"{", "[]", R"({"1":{"class_type":"KSampler","inputs":{"positive":["99",0],"seed":"x","steps":-3}}})",
                            R"({"1":{"class_type":"KSampler","inputs":{"latent_image":[],"model":["1",0]}}})"}) {
        ImageSettings s;
        EXPECT_NO_THROW(s = read_image_settings({{"prompt", bad}})) << bad;
        EXPECT_EQ(s.origin, SettingsOrigin::ComfyUI);
        EXPECT_FALSE(s.restores("seed")) << bad;
        EXPECT_FALSE(s.restores("steps")) << bad;
    }
    const ImageSettings none = read_image_settings({{"Comment", "hello"}});
    EXPECT_EQ(none.origin, SettingsOrigin::None);
    EXPECT_FALSE(none.error.empty());
}

TEST(BlasCheck, ReferenceBlasIsRecognised) {
    const std::string reference =
        "7f00-7f10 r-xp 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13\n"
        "7f20-7f30 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0\n";
    const BlasInfo ref = blas_from_maps(reference);
    EXPECT_TRUE(ref.reference);
    EXPECT_NE(reference_blas_warning(ref).find("libopenblas0"), std::string::npos);

    // An optimised LAPACK does not hide a reference libblas.
    const BlasInfo mixed = blas_from_maps("7f-8f r-xp 0 08:01 4 /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0\n" + reference);
    EXPECT_TRUE(mixed.reference);

    const BlasInfo open = blas_from_maps(
        "7f-8f r-xp 0 08:01 3 /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3\n"
        "7f-8f r-xp 0 08:01 4 /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0\n");
    EXPECT_FALSE(open.reference);
    EXPECT_EQ(reference_blas_warning(open), "");
    EXPECT_FALSE(blas_from_maps("").reference);
}
