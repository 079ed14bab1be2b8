#include "studio/RandomModel.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/ModelIndex.h"
#include "studio/PromptFormat.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"
#include "studio/prompt/PromptTemplates.h"
#include "studio/dit/NextDiT.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"
#include "studio/tokenizers/TokenizerTraining.h"
#include "studio/vae/Vae.h"

namespace fs = std::filesystem;

namespace studio {

namespace {
const std::vector<std::string> kHair{"blue_hair", "red_hair", "silver_hair", "black_hair", "blonde_hair", "pink_hair", "green_hair", "purple_hair", "brown_hair", "white_hair"};
const std::vector<std::string> kEyes{"blue_eyes", "red_eyes", "green_eyes", "purple_eyes", "yellow_eyes", "brown_eyes", "teal_eyes"};
const std::vector<std::string> kStyle{"long_hair", "short_hair", "twintails", "ponytail", "bob_cut", "ahoge"};
const std::vector<std::string> kExpr{"smile", "open_mouth", "closed_mouth", "blush", ":d", "serious", "crying"};
const std::vector<std::string> kCloth{"maid_dress", "school_uniform", "hoodie", "kimono", "sailor_collar", "white_shirt", "black_jacket"};
const std::vector<std::string> kBack{"simple_background", "white_background", "blue_sky", "night", "classroom", "forest", "gradient_background"};
const std::vector<std::string> kGeneral{"masterpiece", "best_quality", "highres", "anime_coloring", "upper_body", "portrait", "solo", "looking_at_viewer"};

template <typename R>
const std::string& pick(const std::vector<std::string>& v, R& rng) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

void write_weights(const fs::path& path, std::vector<std::pair<std::string, torch::Tensor>> tensors, bool bf16) {
    write_tensor_file(path.string(), std::move(tensors), bf16);
}

void train_sentencepiece(const fs::path& corpus, const fs::path& prefix, const std::string& extra) {
    const std::string args = "--input=" + corpus.string() + " --model_prefix=" + prefix.string() +
                             " --minloglevel=2 --num_threads=2 --hard_vocab_limit=false " + extra;
    try {
        studio::train_sentencepiece(args);
    } catch (const TokenizerError& e) {
        throw ExportError(e.what());
    }
}

int64_t count(const std::vector<std::pair<std::string, torch::Tensor>>& w) {
    int64_t n = 0;
    for (const auto& [k, t] : w) n += t.numel();
    return n;
}
}  // namespace

std::string random_prompt_corpus(uint64_t seed, int lines) {
    std::mt19937_64 rng(seed);
    std::string out;
    for (int i = 0; i < lines; ++i) {
        std::string prompt;
        if (i % 3 == 0) {
            prompt = "<character_1><n>$character_1$</n><gender>1girl</gender><appearance>" + pick(kHair, rng) + ", " +
                     pick(kStyle, rng) + ", " + pick(kEyes, rng) + "</appearance><clothing>" + pick(kCloth, rng) +
                     "</clothing><expression>" + pick(kExpr, rng) + "</expression></character_1><general_tags><background>" +
                     pick(kBack, rng) + "</background><quality>" + pick(kGeneral, rng) + "</quality></general_tags>";
            if (i % 2 == 0) prompt = kXmlSystemPrompt + prompt;
        } else {
            prompt = "1girl, " + pick(kHair, rng) + ", " + pick(kEyes, rng) + ", " + pick(kExpr, rng) + ", " + pick(kCloth, rng) +
                     ", " + pick(kBack, rng) + ", " + pick(kGeneral, rng);
            if (i % 4 == 1) prompt = kTextSystemPrompt + prompt;
        }
        out += prompt + "\n";
    }
    out += "初音ミク, 少女, 蓝色头发, 微笑\n";
    // The studio's own templates, so that its example prompts tokenize compactly.
    for (const auto& name : prompt_template_names())
        for (int i = 0; i < 20; ++i) out += std::string(kXmlSystemPrompt) + prompt_template(name) + "\n";
    return out;
}

int64_t write_random_model(const std::string& dir_in, const RandomModelOptions& o) {
    c10::InferenceMode guard;
    const fs::path dir = dir_in;
    std::error_code ec;
    for (auto sub : {"transformer", "text_encoder", "clip_model", "vae"}) fs::create_directories(dir / sub, ec);
    if (ec) throw ExportError("cannot create model folder '" + dir.string() + "': " + ec.message());
    const bool tiny = o.preset == RandomPreset::Tiny;
    const bool bf16 = o.bf16_weights || !tiny;

    // Tokenizers first: the text models' vocabularies follow them.
    const fs::path corpus = dir / "corpus.tmp.txt";
    std::ofstream(corpus) << random_prompt_corpus(o.seed, tiny ? 600 : 3000);
    train_sentencepiece(corpus, dir / "text_encoder" / "tokenizer",
                        "--model_type=bpe --vocab_size=" + std::string(tiny ? "1000" : "4000") +
                            " --byte_fallback=true --split_digits=true --add_dummy_prefix=false --remove_extra_whitespaces=false"
                            " --normalization_rule_name=identity --allow_whitespace_only_pieces=true --character_coverage=1.0"
                            " --pad_id=0 --eos_id=1 --bos_id=2 --unk_id=3 --user_defined_symbols=<start_of_turn>,<end_of_turn>");
    train_sentencepiece(corpus, dir / "clip_model" / "sentencepiece.bpe",
                        "--model_type=unigram --vocab_size=" + std::string(tiny ? "600" : "3000") +
                            " --character_coverage=1.0 --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1");
    fs::remove(corpus);
    fs::remove(dir / "text_encoder" / "tokenizer.vocab");
    fs::remove(dir / "clip_model" / "sentencepiece.bpe.vocab");
    const int64_t gemma_vocab = tiny ? 1000 : 262208;
    const int64_t jina_vocab = tiny ? 602 : 250002;

    GemmaConfig g;
    JinaConfig j;
    DitConfig d;
    VaeConfig v;
    if (tiny) {
        g.vocab_size = gemma_vocab, g.hidden_size = 64, g.intermediate_size = 128, g.num_layers = 4, g.num_heads = 4;
        g.num_kv_heads = 2, g.head_dim = 16, g.query_pre_attn_scalar = 16, g.sliding_window = 512;
        g.rope_global_scaling = 8.0;
        g.layer_is_global = {false, false, true, false};
        j.vocab_size = jina_vocab, j.hidden_size = 32, j.num_layers = 2, j.num_heads = 4, j.intermediate_size = 64;
        d.dim = 64, d.n_layers = 2, d.n_refiner_layers = 1, d.n_heads = 4, d.n_kv_heads = 2, d.cap_feat_dim = 64;
        d.clip_text_dim = 32, d.axes_dims = {4, 6, 6};
        v.block_out_channels = {16, 32, 32, 32}, v.norm_num_groups = 8, v.layers_per_block = 1;
    } else {
        g.vocab_size = gemma_vocab, g.hidden_size = 2560, g.intermediate_size = 10240, g.num_layers = 34, g.num_heads = 8;
        g.num_kv_heads = 4, g.head_dim = 256, g.query_pre_attn_scalar = 256, g.sliding_window = 1024;
        g.rope_global_scaling = 8.0;
        g.layer_is_global.assign(34, false);
        for (int i = 5; i < 34; i += 6) g.layer_is_global[i] = true;
        d.cap_feat_dim = 2560;
    }
    int64_t total = 0;
    auto gw = random_gemma_weights(g, o.seed + 1);
    total += count(gw);
    write_weights(dir / "text_encoder" / "model.safetensors", std::move(gw), bf16);
    write_json_file((dir / "text_encoder" / "config.json").string(), g.to_json());
    auto jw = random_jina_weights(j, o.seed + 2);
    total += count(jw);
    write_weights(dir / "clip_model" / "model.safetensors", std::move(jw), bf16);
    write_json_file((dir / "clip_model" / "config.json").string(), j.to_json());
    auto dw = random_dit_weights(d, o.seed + 3);
    total += count(dw);
    write_weights(dir / "transformer" / "diffusion_pytorch_model.safetensors", std::move(dw), bf16);
    write_json_file((dir / "transformer" / "config.json").string(), d.to_json());
    auto vw = random_vae_weights(v, o.seed + 4);
    total += count(vw);
    write_weights(dir / "vae" / "diffusion_pytorch_model.safetensors", std::move(vw), bf16);
    write_json_file((dir / "vae" / "config.json").string(), v.to_json());
    write_official_model_index((dir / "model_index.json").string(), {{"random_init", tiny ? "tiny" : "full"}, {"seed", o.seed}});
    spdlog::info("wrote random {} model ({} parameters) to {}", tiny ? "tiny" : "full", total, dir.string());
    return total;
}

}  // namespace studio
