// Stage "export": the checkpoint folder -> a NewBie model folder in the official layout
// (model_index.json, transformer/, text_encoder/, clip_model/, vae/), loadable by Pipeline::run.
#include <spdlog/spdlog.h>

#include <cstring>
#include <filesystem>

#include "DemoCorpus.h"
#include "StageCommon.h"
#include "TrainInit.h"
#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/ModelIndex.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"

namespace fs = std::filesystem;

namespace studio::demo {

namespace {

// Moves the keys under `from` to `to`; the others are left out.
NamedTensors renamed(const std::map<std::string, torch::Tensor>& all, const std::string& from, const std::string& to) {
    NamedTensors out;
    for (const auto& [k, t] : all)
        if (k.rfind(from, 0) == 0) out.emplace_back(to + k.substr(from.size()), t);
    return out;
}

int64_t write_weights(const fs::path& path, const NamedTensors& tensors, bool bf16) {
    return write_tensor_file(path.string(), tensors, bf16);
}

void copy_into(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) throw ExportError("cannot copy '" + from.string() + "' to '" + to.string() + "': " + ec.message());
}

void require(const std::string& path, const std::string& what) {
    if (!fs::exists(path)) throw ExportError("cannot export: " + what + " is missing ('" + path + "')");
}

}  // namespace

int64_t export_demo_model(const ExportOptions& o) {
    const fs::path ckpt = o.checkpoints, out = o.out;
    require((ckpt / "configs.json").string(), "configs.json");
    auto cfg = DemoModelConfig::from_json(read_json_file((ckpt / "configs.json").string()), (ckpt / "configs.json").string());
    const auto tokenizers = tokenizer_files((ckpt / "tokenizers").string());
    const auto vae = stage_paths(o.checkpoints, "vae"), text_dit = stage_paths(o.checkpoints, "text_dit");
    for (const auto& [path, what] : std::vector<std::pair<std::string, std::string>>{
             {tokenizers.gemma_model, "the Gemma tokenizer"}, {tokenizers.jina_model, "the Jina tokenizer"},
             {vae.weights, "the VAE checkpoint"}, {vae.state, "the VAE state"}, {text_dit.weights, "the text+dit checkpoint"}})
        require(path, what);
    const auto vae_state = read_state(vae.state), dit_state = read_state(text_dit.state);
    cfg.vae.shift_factor = vae_state.value("latent_shift", 0.0);
    cfg.vae.scaling_factor = vae_state.value("latent_scale", 1.0);

    std::error_code ec;
    for (auto sub : {"transformer", "text_encoder", "clip_model", "vae"}) fs::create_directories(out / sub, ec);
    if (ec) throw ExportError("cannot create '" + out.string() + "': " + ec.message());

    int64_t bytes = 0;
    const auto vae_weights = load_tensors(vae.weights);
    NamedTensors vae_out;
    for (const auto& [k, t] : vae_weights) vae_out.emplace_back(k, t);  // already diffusers keys
    bytes += write_weights(out / "vae" / "diffusion_pytorch_model.safetensors", vae_out, o.bf16);
    write_json_file((out / "vae" / "config.json").string(), cfg.vae.to_json());

    const auto weights = load_tensors(text_dit.weights);
    bytes += write_weights(out / "text_encoder" / "model.safetensors",
                           renamed(weights, "text_encoder.", kGemmaPrefix), o.bf16);
    write_json_file((out / "text_encoder" / "config.json").string(), cfg.gemma.to_json());
    copy_into(tokenizers.gemma_model, out / "text_encoder" / "tokenizer.model");

    bytes += write_weights(out / "clip_model" / "model.safetensors",
                           renamed(weights, "clip_model.", kJinaPrefix), o.bf16);
    write_json_file((out / "clip_model" / "config.json").string(), cfg.jina.to_json());
    copy_into(tokenizers.jina_model, out / "clip_model" / "sentencepiece.bpe.model");

    auto dit = renamed(weights, "transformer.", "");
    dit.emplace_back("norm_final.weight", torch::ones({cfg.dit.dim}));  // unused, as in the real checkpoint
    bytes += write_weights(out / "transformer" / "diffusion_pytorch_model.safetensors", dit, o.bf16);
    write_json_file((out / "transformer" / "config.json").string(), cfg.dit.to_json());

    const nlohmann::json training{{"preset", cfg.preset},
                                  {"image_size", cfg.image_size},
                                  {"vae_steps", vae_state.value("step", 0)},
                                  {"vae_train_seconds", vae_state.value("train_seconds", 0.0)},
                                  {"text_dit_steps", dit_state.value("step", 0)},
                                  {"text_dit_train_seconds", dit_state.value("train_seconds", 0.0)},
                                  {"text_dit_loss", dit_state.value("last_loss", 0.0)},
                                  {"weights", o.bf16 ? "bf16" : "fp32"}};
    // The generation settings it was trained for: front ends use them when the user gives none.
    write_official_model_index((out / "model_index.json").string(),
                               {{"demo_model", training},
                                {"prompt_layout", "compact_xml"},
                                {"width", cfg.image_size},
                                {"height", cfg.image_size},
                                {"steps", 20},
                                {"cfg", 4.0},
                                {"sampler", "euler"}});
    spdlog::info("exported the demo model to {} ({:.1f} MB of weights, {})", out.string(), bytes / 1e6,
                 o.bf16 ? "bf16" : "fp32");
    return bytes;
}

}  // namespace studio::demo
