// Run steps 3-5: sample the latent, decode it, and close the report.
#include <spdlog/spdlog.h>

#include <cstring>

#include "RunSteps.h"
#include "studio/Errors.h"
#include "studio/ImageVerdict.h"

namespace studio {

torch::Tensor sample_step(RunContext& ctx, const LoadedModels& m, const Conditioning& cond,
                          const std::vector<float>& initial_noise) {
    const auto& p = ctx.params;
    const auto& dit_cfg = m.dit->model->config();
    const int64_t down = m.vae->model.config.downscale();
    const int64_t multiple = down * dit_cfg.patch_size;
    if (p.width % multiple || p.height % multiple)
        throw ConfigError("image size must be a multiple of " + std::to_string(multiple) + " for this model");
    const int64_t lh = p.height / down, lw = p.width / down;
    // The noise is drawn in fp32 on the CPU from the seed, then moved: a seed gives the same
    // starting point in every precision and on every device.
    auto gen = at::detail::createCPUGenerator(p.seed);
    torch::Tensor z0 = torch::randn({1, dit_cfg.in_channels, lh, lw}, gen, torch::TensorOptions().dtype(torch::kFloat32));
    if (!initial_noise.empty()) {
        if (static_cast<int64_t>(initial_noise.size()) != z0.numel())
            throw ConfigError("initial noise has " + std::to_string(initial_noise.size()) + " values, the latent needs " +
                              std::to_string(z0.numel()));
        std::memcpy(z0.data_ptr<float>(), initial_noise.data(), initial_noise.size() * sizeof(float));
    }
    torch::Tensor x = (cond.cfg ? z0.repeat({2, 1, 1, 1}) : z0).to(ctx.device);
    const auto grid = official_time_grid(p.steps, p.shift);
    const CfgOptions cfg{p.cfg_scale, p.cfg_trunc >= 1.0f ? 100.0 : static_cast<double>(p.cfg_trunc), p.renorm_cfg};
    auto dit = m.dit->model;
    // The transformer's output dtype is observed at its final layer on every real forward (the
    // guidance wrapper returns fp32), per step: no extra forward.
    RunContext::ModuleScope scope(ctx, Module::Dit, *dit, m.dit->nx);
    auto velocity = [&](const torch::Tensor& xt, double t) -> torch::Tensor {
        if (cond.cfg) return forward_with_cfg(dit, xt, t, cond.cap_feats, cond.cap_mask, cond.pooled, cfg);
        auto tt = torch::full({xt.size(0)}, t, torch::TensorOptions().dtype(torch::kFloat32).device(ctx.device));
        return dit->forward(xt, tt, cond.cap_feats, cond.cap_mask, cond.pooled).to(torch::kFloat32);
    };
    torch::Tensor last_velocity;  // for callbacks.on_step_state only
    const VelocityFn observed_velocity = [&](const torch::Tensor& xt, double t) {
        auto v = velocity(xt, t);
        if (ctx.callbacks.on_step_state) last_velocity = v;
        return v;
    };
    const auto t_sample = std::chrono::steady_clock::now();
    ctx.progress("sample", 0, p.steps, -1);
    ctx.timed("sample", [&] {
        const auto solver = p.sampler == SamplerKind::Midpoint ? FlowSolver::Midpoint : FlowSolver::Euler;
        x = sample_flow(observed_velocity, x, grid, solver, [&](const StepInfo& s) {
            ctx.report.checks.push_back(check_tensor("latent step " + std::to_string(s.step), s.x.narrow(0, 0, 1)));
            if (ctx.callbacks.on_step_state)
                ctx.callbacks.on_step_state(s.step, s.x.narrow(0, 0, 1), last_velocity.narrow(0, 0, 1));
            if (ctx.trace) ctx.trace->set_step(s.step + 1);
            ctx.memory.sample();
            const double per_step = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_sample).count() / s.step;
            ctx.progress("sample", s.step, s.steps, per_step * (s.steps - s.step) + per_step * 0.5);
            if (p.preview && ctx.callbacks.on_preview) {
                auto rgb = latent_preview_rgb(s.x.narrow(0, 0, 1).to(torch::kCPU)[0]).contiguous();
                PreviewImage img{static_cast<int>(rgb.size(1)), static_cast<int>(rgb.size(0)), {}};
                img.rgb.assign(rgb.data_ptr<uint8_t>(), rgb.data_ptr<uint8_t>() + rgb.numel());
                ctx.callbacks.on_preview(img);
            }
            ctx.cancel.throw_if_cancelled();
        });
    });
    if (ctx.trace) ctx.trace->flush_device_stats();
    if (ctx.trace)
        for (const auto& l : ctx.trace->table())
            if (l.module == "dit" && l.layer == "final_layer" && !l.output_dtype.empty())
                observe_dtype(ctx.report.modules[2], l.output_dtype, m.dit->nx);
    return x.narrow(0, 0, 1);
}

namespace {
// One decode: raw VAE output, its finite check and the verdict on the [0, 1] image.
struct Decoded {
    torch::Tensor raw;    // the VAE's output in its compute dtype
    torch::Tensor image;  // [1, 3, H, W] fp32 in [0, 1], NaN kept
    DecodeAttempt attempt;
    bool finite{true};
    ImageVerdict verdict;
};

Decoded decode_once(RunContext& ctx, LoadedVae& vae, const torch::Tensor& latent, const std::string& stage, bool zero_fault) {
    Decoded d;
    torch::Tensor raw;
    {
        RunContext::ModuleScope scope(ctx, Module::Vae, *vae.model.decoder, vae.nx);
        raw = vae_decode_raw(vae.model, latent);
        if (zero_fault) raw = torch::full_like(raw, -1.0);  // zero-image: every pixel of the decode is 0 (black)
        if (ctx.trace) raw = ctx.trace->module_output(raw);
    }
    auto check = check_tensor(stage, raw, dtype_max(vae.nx));
    ctx.report.checks.push_back(check);
    d.finite = check.finite();
    d.raw = raw;
    // clamp() keeps NaN: a NaN decode stays visible (black image verdict), never silently 0.
    d.image = ((raw.to(torch::kFloat32) + 1.0) / 2.0).clamp(0.0, 1.0);
    d.verdict = judge_image(to_image(d.image));
    d.attempt = DecodeAttempt{vae.nx.label(), d.finite, d.verdict.code, d.verdict.detail()};
    ctx.report.decode_attempts.push_back(d.attempt);
    return d;
}
}  // namespace

ImageF to_image(const torch::Tensor& image) {
    const auto hwc = image[0].permute({1, 2, 0}).contiguous().to(torch::kCPU, torch::kFloat32);
    ImageF out(static_cast<int>(hwc.size(1)), static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(2)));
    std::memcpy(out.pixels.data(), hwc.data_ptr<float>(), out.pixels.size() * sizeof(float));
    return out;
}

torch::Tensor decode_step(RunContext& ctx, ModelCache& cache, const LoadedModels& m, const ComponentFiles& vae_files,
                          const torch::Tensor& latent) {
    ctx.progress("decode", ctx.params.steps, ctx.params.steps, -1);
    torch::Tensor image;
    ctx.timed("decode", [&] {
        Decoded d = decode_once(ctx, *m.vae, latent, "decoded image", ctx.fault_is(FaultKind::ZeroImage, Module::Vae));
        observe(ctx.report.modules[3], d.raw, m.vae->nx);
        const bool bad = !d.finite || d.verdict.failed();
        if (bad && ctx.params.vae_fp32_fallback && m.vae->nx.precision != Precision::FP32) {
            // Opt-in, recorded, and scoped to this run: the next run uses the VAE precision asked for.
            const Numerics fp32 = Numerics::make(Precision::FP32, ctx.device);
            auto fallback = load_cached<Vae>(cache, "vae", vae_files, fp32, [&] { return load_vae(vae_files, fp32); });
            d = decode_once(ctx, *fallback, latent, "decoded image (fp32 fallback)", false);
            ctx.report.vae_fallback_used = true;
            ctx.report.warnings.push_back("VAE decode failed in " + m.vae->nx.label() + " (" +
                                          ctx.report.decode_attempts.front().verdict + "); re-decoded in fp32: " +
                                          d.verdict.code);
            // The report's VAE entry describes the decode that made the image.
            auto& vr = ctx.report.modules[3];
            vr.numerics = fallback->nx.label() + " (fallback)";
            vr.weight_dtypes = fallback->weight_dtypes;
            vr.load_seconds += fallback->from_cache ? 0 : fallback->load_seconds;  // both loads took time
            vr.from_cache = vr.from_cache && fallback->from_cache;
            vr.activation_dtypes.clear();
            vr.mismatch = false;
            vr.note = "fp32 fallback after a failed " + m.vae->nx.label() + " decode";
            ctx.facts.numerics[Module::Vae] = fallback->nx;
            ctx.facts.uncast_weights[Module::Vae] = fallback->uncast;
        }
        ctx.report.image_verdict = d.verdict.code;
        image = d.image;
    });
    return image;
}

void report_step(RunContext& ctx, RunResult& result, const torch::Tensor& image) {
    auto& report = ctx.report;
    result.image = to_image(image);
    for (const auto& c : report.checks)
        if (!c.finite()) {
            report.first_nonfinite_stage = c.stage;
            report.warnings.push_back("non-finite values first appeared at: " + c.stage);
            break;
        }
    report.black_image = report.image_verdict == "image-black";
    if (!report.decode_attempts.empty() && report.image_verdict != "ok")
        report.warnings.push_back("image verdict " + report.image_verdict + ": " + report.decode_attempts.back().detail);
    report.audit_level = to_string(ctx.params.audit);
    if (ctx.trace) ctx.trace->flush_device_stats();
    add_findings(report, ctx.trace.get(), ctx.facts);
    ctx.memory.sample();
    report.peak_memory_bytes = ctx.memory.peak();
    report.memory_kind = ctx.memory.kind();
    report.total_seconds = ctx.elapsed();
    for (const auto& w : report.warnings) spdlog::warn("{}", w);
    for (const auto& f : report.findings)
        if (f.severity != Severity::Info) spdlog::warn("finding {} {}{}: {}", f.code, f.module, f.layer.empty() ? "" : "." + f.layer, f.message);
    spdlog::info("run finished in {:.2f} s, peak memory {:.1f} MiB ({})", report.total_seconds,
                 report.peak_memory_bytes / 1048576.0, report.memory_kind);
}

}  // namespace studio
