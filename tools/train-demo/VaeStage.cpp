// Stage "vae": the FLUX-style AutoencoderKL (encoder + decoder) on rendered characters.
// Loss = L1 + L2 on pixels + a small KL; latents 16 channels at 1/8 resolution. At the end the
// latent statistics give the config's shift_factor / scaling_factor (unit-variance latents).
#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>

#include "DemoData.h"
#include "StageCommon.h"
#include "studio/Errors.h"
#include "studio/vae/VaeModel.h"

namespace fs = std::filesystem;

namespace studio::demo {

namespace {

constexpr double kKlWeight = 1e-5;

// PyTorch's default initialisation (uniform +-1/sqrt(fan_in)) for convs and linears.
void init_vae_weights(const NamedTensors& params, uint64_t seed) {
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (const auto& [name, p] : params) {
        torch::Tensor v;
        if (p.dim() >= 2) {
            const double bound = 1.0 / std::sqrt(static_cast<double>(p.numel() / p.size(0)));
            v = (torch::rand(p.sizes(), gen, torch::kFloat32) * 2 - 1) * bound;
        } else {
            const bool bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
            v = bias ? torch::zeros(p.sizes()) : torch::ones(p.sizes());
        }
        p.copy_(v.to(p.device()));
    }
}

struct LatentStats {
    double shift{0}, scale{1};
};

// Mean and 1/std of the posterior means over fixed held-out batches.
LatentStats latent_statistics(VaeEncoder& encoder, const DataOptions& data, const torch::Device& device) {
    torch::NoGradGuard no_grad;
    encoder->eval();
    std::vector<torch::Tensor> means;
    for (int k = 0; k < 4; ++k) {
        const auto batch = make_batch(data, -1 - k, nullptr);  // negative steps never occur in training
        const auto moments = encoder->forward(images_to_tensor(batch.images, device));
        means.push_back(moments.chunk(2, 1)[0].to(torch::kCPU));
    }
    encoder->train();
    const auto all = torch::cat(means);
    const double shift = all.mean().item<double>();
    const double std = all.std().item<double>();
    return {shift, std > 1e-8 ? 1.0 / std : 1.0};
}

}  // namespace

StageResult run_vae_stage(const TrainOptions& o) {
    Stopwatch wall;
    configure_training_device(o);
    const auto cfg = load_or_create_config(o.checkpoints, o.preset);
    const bool toy = cfg.preset == "toy";
    const int batch = o.batch > 0 ? o.batch : (toy ? 8 : 32);
    const double base_lr = o.lr > 0 ? o.lr : (toy ? 1e-3 : 4e-4);
    const auto paths = stage_paths(o.checkpoints, "vae");

    const Numerics nx = Numerics::make(o.tf32 ? Precision::TF32 : Precision::FP32, o.device);
    VaeEncoder encoder(cfg.vae, nx);
    VaeDecoder decoder(cfg.vae, nx);
    encoder->to(o.device);
    decoder->to(o.device);
    NamedTensors params = named_parameters(*encoder, "encoder.");
    for (auto& p : named_parameters(*decoder, "decoder.")) params.push_back(p);
    int64_t parameters = 0;
    for (const auto& [n, p] : params) parameters += p.numel();

    auto state = o.resume ? read_state(paths.state) : nlohmann::json::object();
    int64_t step = 0;
    double train_seconds = 0;
    if (o.resume && fs::exists(paths.weights)) {
        assign_parameters(params, load_tensors(paths.weights), paths.weights);
        step = state.value("step", int64_t{0});
        train_seconds = state.value("train_seconds", 0.0);
        spdlog::info("vae: resumed at step {} ({:.0f} s trained)", step, train_seconds);
    } else {
        init_vae_weights(params, o.seed ^ 0x7AE);
        state = nlohmann::json::object();
    }
    StageResult result{step, train_seconds, plan_done(step, train_seconds, o), 0};
    if (result.complete) {
        spdlog::info("vae: plan already done ({} steps)", step);
        return result;
    }
    AdamW optimizer(params, 0.0, 0.9, 0.99);
    if (o.resume && fs::exists(paths.optimizer))
        optimizer.load_state(load_tensors(paths.optimizer), state.value("adam_steps", int64_t{0}));

    DataOptions data;
    data.seed = o.seed;
    data.batch = batch;
    data.image_size = cfg.image_size;
    data.workers = worker_count(o.workers);
    BatchSource source(data, step);
    CsvLog log(paths.log, {"step", "train_seconds", "lr", "loss", "l1", "mse", "kl", "grad_norm", "images_per_s"});
    spdlog::info("vae: {} parameters, batch {}, lr {}, {} render threads, {}", parameters, batch, base_lr, data.workers,
                 o.device.str());

    auto save = [&](bool with_stats) {
        save_tensors(paths.weights, params);
        save_tensors(paths.optimizer, optimizer.state());
        state["step"] = step;
        state["train_seconds"] = train_seconds;
        state["adam_steps"] = optimizer.steps();
        state["parameters"] = parameters;
        state["complete"] = plan_done(step, train_seconds, o);
        if (with_stats || !state.contains("latent_shift")) {
            const auto stats = latent_statistics(encoder, data, o.device);
            state["latent_shift"] = stats.shift;
            state["latent_scale"] = stats.scale;
        }
        write_state(paths.state, state);
    };

    StepWindow window(train_seconds, 0.5);
    while (!plan_done(step, train_seconds, o) && budget_allows(wall, window.step_seconds(), 10.0, o)) {
        const Stopwatch sw;
        const double lr = scheduled_lr(base_lr, step, warmup_steps(o, 200), plan_progress(step, train_seconds, o));
        const auto b = source.next();
        const auto x = images_to_tensor(b.images, o.device);
        torch::manual_seed(o.seed * 1000003ull + static_cast<uint64_t>(step));
        const auto moments = encoder->forward(x).chunk(2, 1);
        const auto mean = moments[0], logvar = moments[1].clamp(-30.0, 20.0);
        const auto z = mean + (0.5 * logvar).exp() * torch::randn_like(mean);
        const auto rec = decoder->forward(z);
        const auto diff = rec - x;
        const auto l1 = diff.abs().mean(), mse = diff.pow(2).mean();
        const auto kl = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean();
        const auto loss = l1 + mse + kKlWeight * kl;
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
                throw NumericsError("vae: loss became " + std::to_string(l) + " at step " + std::to_string(step));
            log.row({static_cast<double>(step), train_seconds, lr, l, l1.item<double>(), mse.item<double>(),
                     kl.item<double>(), grad_norm.item<double>(), rate});
            spdlog::info("vae step {}: loss {:.5f} (l1 {:.4f}) {:.0f} img/s", step, l, l1.item<double>(), rate);
            result.last_loss = l;
        }
        if (step % o.checkpoint_every == 0) save(false);
    }
    synchronize(o.device);
    save(true);
    return finish_stage("vae", result, step, train_seconds, o);
}

}  // namespace studio::demo
