// Stage "text+dit": the Gemma-style and Jina-style text encoders and the Next-DiT, trained
// jointly from scratch with the official rectified-flow loss (architecture.md 5.1):
//   x1 = VAE latent (posterior mean, shifted and scaled), x0 ~ N(0, I), t = shifted sigmoid(N(0,1)),
//   x_t = t x1 + (1 - t) x0, loss = |DiT(x_t, t, text) - (x1 - x0)|^2.
// 10 % of the captions are dropped to "" for BOTH encoders (the pipeline's unconditional branch
// is Gemma("") and Jina(""), so that is what CFG needs). fp32 weights and arithmetic; TF32
// matmuls on CUDA.
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>

#include "DemoData.h"
#include "StageCommon.h"
#include "TrainInit.h"
#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"
#include "studio/vae/VaeModel.h"

namespace fs = std::filesystem;

namespace studio::demo {

namespace {

// The pipeline's own modules, trained with autograd (their forwards are differentiable).
struct TextDitModels {
    Gemma3Text gemma{nullptr};
    JinaText jina{nullptr};
    NextDiT dit{nullptr};
    NamedTensors params;  // "text_encoder.<key>", "clip_model.<key>", "transformer.<key>"
};

TextDitModels build_models(const DemoModelConfig& cfg, const Numerics& nx) {
    TextDitModels m;
    m.gemma = Gemma3Text(cfg.gemma, nx);
    m.jina = JinaText(cfg.jina, nx);
    m.dit = NextDiT(cfg.dit, nx);
    for (auto* module : std::vector<torch::nn::Module*>{m.gemma.get(), m.jina.get(), m.dit.get()}) {
        module->to(nx.device);
        for (auto& p : module->parameters()) p.requires_grad_(true);  // loaded for inference, trained here
    }
    for (auto& p : named_parameters(*m.gemma, "text_encoder.")) m.params.push_back(p);
    for (auto& p : named_parameters(*m.jina, "clip_model.")) m.params.push_back(p);
    for (auto& p : named_parameters(*m.dit, "transformer.")) m.params.push_back(p);
    return m;
}

// The tokenizers decide the vocabularies; configs.json follows them.
DemoModelConfig with_tokenizers(DemoModelConfig cfg, const TextTokenizers& t, const std::string& checkpoints) {
    if (cfg.gemma.vocab_size != t.gemma->vocab_size() || cfg.jina.vocab_size != t.jina->vocab_size()) {
        cfg.set_vocabularies(t.gemma->vocab_size(), t.jina->vocab_size());
        write_json_file((fs::path(checkpoints) / "configs.json").string(), cfg.to_json());
    }
    return cfg;
}

}  // namespace

StageResult run_text_dit_stage(const TrainOptions& o) {
    Stopwatch wall;
    configure_training_device(o);
    auto cfg = load_or_create_config(o.checkpoints, o.preset);
    const auto tokenizer_dir = (fs::path(o.checkpoints) / "tokenizers").string();
    const auto files = ensure_demo_tokenizers(tokenizer_dir, o.seed, cfg.gemma_vocab_pieces, cfg.jina_vocab_pieces);
    cfg = with_tokenizers(cfg, load_demo_tokenizers(files), o.checkpoints);
    const bool toy = cfg.preset == "toy";
    const int batch = o.batch > 0 ? o.batch : (toy ? 8 : 128);
    const double base_lr = o.lr > 0 ? o.lr : (toy ? 1e-3 : 3e-4);
    const auto paths = stage_paths(o.checkpoints, "text_dit");
    const Numerics nx = Numerics::make(o.tf32 ? Precision::TF32 : Precision::FP32, o.device);

    // The trained VAE's encoder turns the rendered images into latents.
    const auto vae_paths = stage_paths(o.checkpoints, "vae");
    if (!fs::exists(vae_paths.weights)) throw ConfigError("no VAE in '" + o.checkpoints + "': run the vae stage first");
    const auto vae_state = read_state(vae_paths.state);
    if (!vae_state.value("complete", false)) spdlog::warn("text+dit: the VAE has not finished its plan");
    const double shift = vae_state.value("latent_shift", 0.0), scale = vae_state.value("latent_scale", 1.0);
    // Latents are data: on CUDA the encoder runs in bf16 (a third of the step time in fp32).
    const Numerics enc_nx = o.device.is_cuda() ? Numerics::make(Precision::BF16, o.device, NumericsMode::Native) : nx;
    VaeEncoder encoder(cfg.vae, enc_nx);
    encoder->to(o.device);
    assign_parameters(named_parameters(*encoder, "encoder."), load_tensors(vae_paths.weights), vae_paths.weights);
    encoder->to(enc_nx.compute());
    encoder->eval();

    auto models = build_models(cfg, nx);
    int64_t parameters = 0;
    for (const auto& [n, p] : models.params) parameters += p.numel();
    auto state = o.resume ? read_state(paths.state) : nlohmann::json::object();
    int64_t step = 0;
    double train_seconds = 0;
    if (o.resume && fs::exists(paths.weights)) {
        assign_parameters(models.params, load_tensors(paths.weights), paths.weights);
        step = state.value("step", int64_t{0});
        train_seconds = state.value("train_seconds", 0.0);
        spdlog::info("text+dit: resumed at step {} ({:.0f} s trained)", step, train_seconds);
    } else {
        init_text_weights(*models.gemma, /*one_plus_norms=*/true, o.seed ^ 0x6E77);
        init_text_weights(*models.jina, false, o.seed ^ 0x71A);
        init_dit_weights(*models.dit, o.seed ^ 0xD17);
        state = nlohmann::json::object();
    }
    StageResult result{step, train_seconds, plan_done(step, train_seconds, o), 0};
    if (result.complete) {
        spdlog::info("text+dit: plan already done ({} steps)", step);
        return result;
    }
    AdamW optimizer(models.params, 0.01, 0.9, 0.99);
    if (o.resume && fs::exists(paths.optimizer))
        optimizer.load_state(load_tensors(paths.optimizer), state.value("adam_steps", int64_t{0}));

    DataOptions data;
    data.seed = o.seed;
    data.batch = batch;
    data.image_size = cfg.image_size;
    data.workers = worker_count(o.workers);
    data.caption_dropout = 0.1;
    data.omit_probability = 0.1;
    data.tokenizers = files;
    BatchSource source(data, step);
    CsvLog log(paths.log, {"step", "train_seconds", "lr", "loss", "grad_norm", "images_per_s"});
    const int64_t patch = cfg.dit.patch_size, down = cfg.vae.downscale();
    const int64_t image_tokens = (cfg.image_size / down / patch) * (cfg.image_size / down / patch);
    spdlog::info("text+dit: {} parameters, batch {}, lr {}, {} render threads, {}", parameters, batch, base_lr,
                 data.workers, o.device.str());

    auto save = [&] {
        save_tensors(paths.weights, models.params);
        save_tensors(paths.optimizer, optimizer.state());
        state["step"] = step;
        state["train_seconds"] = train_seconds;
        state["adam_steps"] = optimizer.steps();
        state["parameters"] = parameters;
        state["complete"] = plan_done(step, train_seconds, o);
        state["last_loss"] = result.last_loss;
        write_state(paths.state, state);
    };

    StepWindow window(train_seconds, 1.0);
    double ema_loss = -1;
    while (!plan_done(step, train_seconds, o) && budget_allows(wall, window.step_seconds(), 10.0, o)) {
        const Stopwatch sw;
        const double lr = scheduled_lr(base_lr, step, warmup_steps(o, 300), plan_progress(step, train_seconds, o));
        const auto b = source.next();
        torch::Tensor x1;
        {
            torch::NoGradGuard no_grad;
            const auto x = images_to_tensor(b.images, o.device).to(enc_nx.compute());
            const auto mean = encoder->forward(x).chunk(2, 1)[0].to(torch::kFloat32);
            x1 = (mean - shift) * scale;
        }
        torch::manual_seed(o.seed * 1000003ull + static_cast<uint64_t>(step) + 0x5EED);
        const auto x0 = torch::randn_like(x1);
        const auto t = sample_training_time(x1.size(0), image_tokens, o.device);
        const auto tt = t.view({-1, 1, 1, 1});
        const auto xt = tt * x1 + (1.0 - tt) * x0;
        const auto cap = gemma_caption_features(models.gemma, b.gemma_ids.to(o.device), b.gemma_mask.to(o.device));
        const auto pooled = jina_pooled(models.jina, b.jina_ids.to(o.device));
        const auto v = models.dit->forward(xt, t, cap, b.gemma_mask, pooled);
        const auto loss = (v - (x1 - x0)).pow(2).mean();
        optimizer.zero_grad();
        loss.backward();
        const auto grad_norm = optimizer.clip_grad_norm(1.0);
        optimizer.step(lr);
        ++step;
        const bool logged = step % o.log_every == 0 || step == 1;
        const double l = logged ? loss.item<double>() : 0.0;  // syncs: the logged time is real
        const double rate = window.add(sw, logged, batch);
        if (logged) {
            if (!std::isfinite(l))
                throw NumericsError("text+dit: loss became " + std::to_string(l) + " at step " + std::to_string(step));
            ema_loss = ema_loss < 0 ? l : 0.8 * ema_loss + 0.2 * l;
            log.row({static_cast<double>(step), train_seconds, lr, l, grad_norm.item<double>(), rate});
            spdlog::info("text+dit step {}: loss {:.4f} (smoothed {:.4f}) lr {:.2e} {:.0f} img/s", step, l, ema_loss, lr, rate);
            result.last_loss = ema_loss;
        }
        if (step % o.checkpoint_every == 0) save();
    }
    synchronize(o.device);
    save();
    return finish_stage("text+dit", result, step, train_seconds, o);
}

}  // namespace studio::demo
