// Text -> image, one run: load (cached) -> encode -> sample -> decode, audited at every boundary.
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "LoadedModels.h"
#include "ModelCache.h"
#include "RunAudit.h"
#include "WeightHash.h"
#include "studio/Errors.h"
#include "studio/Generation.h"
#include "studio/ModelFolder.h"
#include "studio/PromptFormat.h"
#include "studio/Provenance.h"
#include "studio/RequestCheck.h"

namespace studio {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr int kTextTokenLimit = 512;

NumericsMode to_mode(NumericsChoice c) {
    switch (c) {
        case NumericsChoice::Native: return NumericsMode::Native;
        case NumericsChoice::Emulated: return NumericsMode::Emulated;
        default: return NumericsMode::Auto;
    }
}

torch::Tensor to_tensor(const std::vector<std::vector<int64_t>>& rows) {
    const int64_t b = static_cast<int64_t>(rows.size()), l = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
    auto t = torch::empty({b, l}, torch::kInt64);
    for (int64_t i = 0; i < b; ++i) std::copy(rows[i].begin(), rows[i].end(), t[i].data_ptr<int64_t>());
    return t;
}

void validate(const GenerationParams& p) {
    if (p.model_dir.empty()) throw ConfigError("no model folder chosen");
    if (p.prompt.find_first_not_of(" \t\r\n") == std::string::npos) throw ConfigError("prompt is empty");
    if (p.steps < 1 || p.steps > 1000) throw ConfigError("steps must be between 1 and 1000 (got " + std::to_string(p.steps) + ")");
    // The model-specific multiple (VAE downscale x patch size, 16 for NewBie) is checked once loaded.
    if (p.width < 8 || p.height < 8 || p.width > 4096 || p.height > 4096)
        throw ConfigError("image size must be between 8 and 4096 pixels per side (got " + std::to_string(p.width) + "x" +
                          std::to_string(p.height) + ")");
    if (!(p.cfg_scale >= 0) || !(p.shift > 0)) throw ConfigError("CFG scale must be >= 0 and shift > 0");
    if (p.device == DeviceKind::CUDA && !Pipeline::cuda_available())
        throw ConfigError("CUDA was requested but this build or machine has no CUDA device");
}

std::string device_description(const torch::Device& d) {
    if (d.is_cuda()) return "CUDA device " + std::to_string(d.index() < 0 ? 0 : d.index());
    return "CPU (" + std::to_string(at::get_num_threads()) + " threads)";
}

ModuleReport module_report(Module m, const GenerationParams& p, const Numerics& nx,
                           const std::map<std::string, int64_t>& weights, double load_s, bool hit) {
    ModuleReport r;
    r.module = m;
    r.requested = to_string(p.precision.get(m));
    r.numerics = nx.label();
    r.weight_dtypes = weights;
    r.load_seconds = hit ? 0 : load_s;
    r.from_cache = hit;
    return r;
}

// Records the dtype a module output really had and flags anything but the requested one.
void observe(ModuleReport& r, const torch::Tensor& t, const Numerics& nx) {
    const std::string seen = observed_dtype(t, nx);
    r.activation_dtypes[seen] += 1;
    const std::string want = dtype_name(nx.storage());
    if (seen != want) {
        r.mismatch = true;
        r.note = "asked for " + r.requested + ", output was " + seen;
    }
    for (const auto& [dtype, n] : r.weight_dtypes)
        if (dtype != want && dtype != "int64" && dtype != "bool") {
            r.mismatch = true;
            r.note = std::to_string(n) + " weights resident in " + dtype + " (expected " + want + ")";
        }
}
}  // namespace

struct Pipeline::State {
    ModelCache cache{2};
};

Pipeline::Pipeline() : m_state(std::make_unique<State>()) {}
Pipeline::~Pipeline() = default;

void Pipeline::release_all() {
    m_state->cache.release_all();
    spdlog::info("released every cached model");
}

bool Pipeline::cuda_available() { return torch::cuda::is_available(); }

int Pipeline::count_tokens(const std::string& model_dir, const std::string& prompt, SystemPromptMode mode) {
    const auto folder = discover_model_folder(model_dir);
    const auto& te = folder.require(ComponentKind::TextEncoder);
    auto tok = m_state->cache.get_or_load<Tokenizer>("tokenizer-gemma", te.tokenizer_dir, [&] {
        return std::shared_ptr<Tokenizer>(load_component_tokenizer(te));
    });
    const std::string text = folder.compact_xml_prompts ? compact_xml_layout(prompt) : prompt;
    return static_cast<int>(tok->encode(gemma_input_text(text, mode)).size()) + 1;  // + BOS
}

RunResult Pipeline::run(const GenerationParams& params, const JobCallbacks& callbacks, const CancelToken& cancel) {
    return run_with_noise(params, {}, callbacks, cancel);
}

RunResult Pipeline::run_with_noise(const GenerationParams& params, const std::vector<float>& initial_noise,
                                   const JobCallbacks& callbacks, const CancelToken& cancel) {
    c10::InferenceMode inference;
    configure_torch_threads();
    check_request(params);  // NaN, ranges, memory estimate, before anything loads
    validate(params);
    const auto t_start = Clock::now();
    RunResult result;
    RunReport& report = result.report;
    report.params = params;
    report.app_version = app_version();

    const torch::Device device = params.device == DeviceKind::CUDA ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    report.device_name = device_description(device);
    MemoryMonitor memory(device.is_cuda());
    const NumericsMode mode = to_mode(params.numerics);
    auto nx_for = [&](Module m) { return Numerics::make(params.precision.get(m), device, mode); };
    spdlog::info("run: {} | precision {}", params.to_string(), params.precision.describe_sources());

    auto progress = [&](const std::string& stage, int step, int steps, double eta) {
        if (callbacks.on_progress) callbacks.on_progress(ProgressInfo{stage, step, steps, seconds_since(t_start), eta});
    };
    auto timed = [&](const std::string& stage, auto&& fn) {
        const auto t0 = Clock::now();
        fn();
        report.timings.push_back({stage, seconds_since(t0)});
        memory.sample();
    };

    const ModelFolder folder = discover_model_folder(params.model_dir);
    const auto& te = folder.require(ComponentKind::TextEncoder);
    const auto& ce = folder.require(ComponentKind::Clip);
    const auto& de = folder.require(ComponentKind::Transformer);
    const auto& ve = folder.require(ComponentKind::Vae);
    for (const auto* c : {&te, &ce, &de, &ve}) report.weight_hashes[to_string(c->kind)] = weight_files_hash(c->weight_files);
    // The encoders see the prompt as typed, unless the model folder says it was trained on compact XML.
    const bool compact = folder.compact_xml_prompts;
    const std::string prompt = compact ? compact_xml_layout(params.prompt) : params.prompt;
    const std::string negative = compact ? compact_xml_layout(params.negative) : params.negative;
    report.prompt_layout = compact ? "compact XML (asked by the model folder)" : "as typed";

    // ---- load ------------------------------------------------------------------------
    progress("load", 0, params.steps, -1);
    std::shared_ptr<LoadedGemma> gemma;
    std::shared_ptr<LoadedJina> jina;
    std::shared_ptr<LoadedDit> dit;
    std::shared_ptr<LoadedVae> vae;
    std::shared_ptr<Tokenizer> gemma_tok, jina_tok;
    bool hit[4] = {false, false, false, false};
    timed("load", [&] {
        gemma_tok = m_state->cache.get_or_load<Tokenizer>("tokenizer-gemma", te.tokenizer_dir.empty() ? te.dir : te.tokenizer_dir,
                                                          [&] { return std::shared_ptr<Tokenizer>(load_component_tokenizer(te)); });
        jina_tok = m_state->cache.get_or_load<Tokenizer>("tokenizer-jina", ce.tokenizer_dir.empty() ? ce.dir : ce.tokenizer_dir,
                                                         [&] { return std::shared_ptr<Tokenizer>(load_component_tokenizer(ce)); });
        const auto key = [&](const ComponentFiles& c, const Numerics& nx) { return c.dir + "|" + nx.label() + "|" + device.str(); };
        const Numerics nt = nx_for(Module::Text), nc = nx_for(Module::Clip), nd = nx_for(Module::Dit), nv = nx_for(Module::Vae);
        gemma = m_state->cache.get_or_load<LoadedGemma>("gemma", key(te, nt), [&] {
            const auto t0 = Clock::now();
            auto g = std::make_shared<LoadedGemma>();
            g->model = load_gemma(te, nt);
            g->nx = nt;
            g->weight_dtypes = weight_census(*g->model, nt);
            g->hidden_size = g->model->config().hidden_size;
            g->load_seconds = seconds_since(t0);
            return g;
        }, &hit[0]);
        cancel.throw_if_cancelled();
        jina = m_state->cache.get_or_load<LoadedJina>("jina", key(ce, nc), [&] {
            const auto t0 = Clock::now();
            auto j = std::make_shared<LoadedJina>();
            j->model = load_jina(ce, nc);
            j->nx = nc;
            j->weight_dtypes = weight_census(*j->model, nc);
            j->load_seconds = seconds_since(t0);
            return j;
        }, &hit[1]);
        cancel.throw_if_cancelled();
        dit = m_state->cache.get_or_load<LoadedDit>("dit", key(de, nd), [&] {
            const auto t0 = Clock::now();
            auto d = std::make_shared<LoadedDit>();
            d->model = load_dit(de, nd, gemma->hidden_size);
            d->nx = nd;
            d->weight_dtypes = weight_census(*d->model, nd);
            d->in_channels = d->model->config().in_channels;
            d->patch_size = d->model->config().patch_size;
            d->load_seconds = seconds_since(t0);
            return d;
        }, &hit[2]);
        cancel.throw_if_cancelled();
        vae = m_state->cache.get_or_load<LoadedVae>("vae", key(ve, nv), [&] {
            const auto t0 = Clock::now();
            auto v = std::make_shared<LoadedVae>();
            v->vae = load_vae(ve, nv);
            v->weight_dtypes = weight_census(*v->vae.decoder, v->vae.nx);
            v->load_seconds = seconds_since(t0);
            return v;
        }, &hit[3]);
    });
    cancel.throw_if_cancelled();
    report.modules.push_back(module_report(Module::Text, params, gemma->nx, gemma->weight_dtypes, gemma->load_seconds, hit[0]));
    report.modules.push_back(module_report(Module::Clip, params, jina->nx, jina->weight_dtypes, jina->load_seconds, hit[1]));
    report.modules.push_back(module_report(Module::Dit, params, dit->nx, dit->weight_dtypes, dit->load_seconds, hit[2]));
    report.modules.push_back(module_report(Module::Vae, params, vae->vae.nx, vae->weight_dtypes, vae->load_seconds, hit[3]));
    if (params.precision.get(Module::Text) == Precision::FP16)
        report.warnings.push_back("Gemma 3 is known to overflow in fp16 (empty or NaN features); bf16 or fp32 is safer");

    // ---- encode ----------------------------------------------------------------------
    const bool use_cfg = params.cfg_scale != 1.0f;
    std::vector<std::string> gemma_texts{gemma_input_text(prompt, params.system_prompt, params.custom_system_prompt)};
    std::vector<std::string> jina_texts{jina_input_text(prompt)};
    if (use_cfg) {
        gemma_texts.push_back(gemma_input_text(negative, params.system_prompt, params.custom_system_prompt));
        jina_texts.push_back(jina_input_text(negative));
    }
    torch::Tensor cap_feats, cap_mask, pooled;
    progress("encode", 0, params.steps, -1);
    timed("encode", [&] {
        const TokenBatch gb = make_gemma_batch(*gemma_tok, gemma_texts, 1 << 20, 8);
        for (size_t i = 0; i < gb.lengths.size(); ++i)
            if (gb.lengths[i] > kTextTokenLimit)
                throw ConfigError(std::string(i == 0 ? "prompt" : "negative prompt") + " is " + std::to_string(gb.lengths[i]) +
                                  " tokens long (system prompt included); the text encoder takes at most " +
                                  std::to_string(kTextTokenLimit));
        cap_mask = to_tensor(gb.mask).to(device);
        auto feats = gemma_caption_features(gemma->model, to_tensor(gb.ids).to(device), cap_mask);
        observe(report.modules[0], feats, gemma->nx);
        cap_feats = feats.to(torch::kFloat32);  // explicit boundary cast; the DiT casts to its own dtype
        report.checks.push_back(check_tensor("text features", cap_feats.masked_select(cap_mask.unsqueeze(-1).to(torch::kBool)),
                                             dtype_max(gemma->nx)));
        cancel.throw_if_cancelled();
        const TokenBatch jb = make_jina_batch(*jina_tok, jina_texts, 8192);
        auto pooled_raw = jina_pooled(jina->model, to_tensor(jb.ids).to(device));
        observe(report.modules[1], pooled_raw, jina->nx);
        pooled = pooled_raw.to(torch::kFloat32);
        report.checks.push_back(check_tensor("clip pooled", pooled, dtype_max(jina->nx)));
    });
    cancel.throw_if_cancelled();

    // ---- sample ----------------------------------------------------------------------
    const int64_t down = vae->vae.config.downscale();
    const int64_t multiple = down * dit->patch_size;
    if (params.width % multiple || params.height % multiple)
        throw ConfigError("image size must be a multiple of " + std::to_string(multiple) + " for this model");
    const int64_t lh = params.height / down, lw = params.width / down;
    // The noise is drawn in fp32 on the CPU from the seed, then moved: a seed gives the same
    // starting point in every precision and on every device.
    auto gen = at::detail::createCPUGenerator(params.seed);
    torch::Tensor z0 = torch::randn({1, dit->in_channels, lh, lw}, gen, torch::TensorOptions().dtype(torch::kFloat32));
    if (!initial_noise.empty()) {
        if (static_cast<int64_t>(initial_noise.size()) != z0.numel())
            throw ConfigError("initial noise has " + std::to_string(initial_noise.size()) + " values, the latent needs " +
                              std::to_string(z0.numel()));
        std::memcpy(z0.data_ptr<float>(), initial_noise.data(), initial_noise.size() * sizeof(float));
    }
    torch::Tensor x = (use_cfg ? z0.repeat({2, 1, 1, 1}) : z0).to(device);
    const auto grid = official_time_grid(params.steps, params.shift);
    const CfgOptions cfg{params.cfg_scale, params.cfg_trunc >= 1.0f ? 100.0 : static_cast<double>(params.cfg_trunc),
                         params.renorm_cfg};
    bool census_done = false;
    auto velocity = [&](const torch::Tensor& xt, double t) -> torch::Tensor {
        if (!census_done) {
            // The DiT's raw output dtype, once per run (its CFG wrapper returns fp32).
            auto tt = torch::full({1}, t, torch::TensorOptions().dtype(torch::kFloat32).device(device));
            observe(report.modules[2], dit->model->forward(xt.narrow(0, 0, 1), tt, cap_feats.narrow(0, 0, 1),
                                                           cap_mask.narrow(0, 0, 1), pooled.narrow(0, 0, 1)),
                    dit->nx);
            census_done = true;
        }
        if (use_cfg) return forward_with_cfg(dit->model, xt, t, cap_feats, cap_mask, pooled, cfg);
        auto tt = torch::full({xt.size(0)}, t, torch::TensorOptions().dtype(torch::kFloat32).device(device));
        return dit->model->forward(xt, tt, cap_feats, cap_mask, pooled).to(torch::kFloat32);
    };
    torch::Tensor last_velocity;  // for callbacks.on_step_state only
    const VelocityFn observed_velocity = [&](const torch::Tensor& xt, double t) {
        auto v = velocity(xt, t);
        if (callbacks.on_step_state) last_velocity = v;
        return v;
    };
    const auto t_sample = Clock::now();
    progress("sample", 0, params.steps, -1);
    timed("sample", [&] {
        x = sample_flow(observed_velocity, x, grid, params.sampler == SamplerKind::Midpoint ? FlowSolver::Midpoint : FlowSolver::Euler,
                        [&](const StepInfo& s) {
                            auto check = check_tensor("latent step " + std::to_string(s.step), s.x.narrow(0, 0, 1));
                            report.checks.push_back(check);
                            if (callbacks.on_step_state)
                                callbacks.on_step_state(s.step, s.x.narrow(0, 0, 1), last_velocity.narrow(0, 0, 1));
                            memory.sample();
                            const double per_step = seconds_since(t_sample) / s.step;
                            progress("sample", s.step, s.steps, per_step * (s.steps - s.step) + per_step * 0.5);
                            if (params.preview && callbacks.on_preview) {
                                auto rgb = latent_preview_rgb(s.x.narrow(0, 0, 1).to(torch::kCPU)[0]).contiguous();
                                PreviewImage img{static_cast<int>(rgb.size(1)), static_cast<int>(rgb.size(0)), {}};
                                img.rgb.assign(rgb.data_ptr<uint8_t>(), rgb.data_ptr<uint8_t>() + rgb.numel());
                                callbacks.on_preview(img);
                            }
                            cancel.throw_if_cancelled();
                        });
    });
    const torch::Tensor latent = x.narrow(0, 0, 1);

    // ---- decode ----------------------------------------------------------------------
    progress("decode", params.steps, params.steps, -1);
    torch::Tensor image;
    timed("decode", [&] {
        auto raw = vae_decode_raw(vae->vae, latent);
        observe(report.modules[3], raw, vae->vae.nx);
        auto check = check_tensor("decoded image", raw, dtype_max(vae->vae.nx));
        report.checks.push_back(check);
        if (!check.finite() && params.vae_fp32_fallback && vae->vae.nx.precision != Precision::FP32) {
            // Opt-in, recorded, and scoped to this run: the next run uses the VAE precision asked for.
            const Numerics fp32 = Numerics::make(Precision::FP32, device);
            bool fallback_hit = false;
            auto fallback = m_state->cache.get_or_load<LoadedVae>("vae", ve.dir + "|" + fp32.label() + "|" + device.str(), [&] {
                const auto t0 = Clock::now();
                auto v = std::make_shared<LoadedVae>();
                v->vae = load_vae(ve, fp32);
                v->weight_dtypes = weight_census(*v->vae.decoder, v->vae.nx);
                v->load_seconds = seconds_since(t0);
                return v;
            }, &fallback_hit);
            if (!fallback_hit) report.modules[3].load_seconds += fallback->load_seconds;
            raw = vae_decode_raw(fallback->vae, latent);
            report.vae_fallback_used = true;
            report.warnings.push_back("VAE output was non-finite in " + vae->vae.nx.label() + "; re-decoded in fp32");
            report.checks.push_back(check_tensor("decoded image (fp32 fallback)", raw));
        }
        image = ((raw.to(torch::kFloat32) + 1.0) / 2.0).clamp(0.0, 1.0);
        // clamp() keeps NaN: a NaN decode stays visible (black image report), never silently 0.
    });

    // ---- result ----------------------------------------------------------------------
    const auto hwc = image[0].permute({1, 2, 0}).contiguous().to(torch::kCPU);
    result.image = ImageF(static_cast<int>(hwc.size(1)), static_cast<int>(hwc.size(0)), 3);
    std::memcpy(result.image.pixels.data(), hwc.data_ptr<float>(), result.image.pixels.size() * sizeof(float));

    for (const auto& c : report.checks)
        if (!c.finite()) {
            report.first_nonfinite_stage = c.stage;
            report.warnings.push_back("non-finite values first appeared at: " + c.stage);
            break;
        }
    const auto finite = torch::isfinite(hwc);
    const double bright = finite.any().item<bool>() ? hwc.masked_select(finite).max().item<double>() : 0.0;
    report.black_image = bright < 0.02;
    if (report.black_image) report.warnings.push_back("the image is black (max value " + std::to_string(bright) + ")");
    memory.sample();
    report.peak_memory_bytes = memory.peak();
    report.memory_kind = memory.kind();
    report.total_seconds = seconds_since(t_start);
    for (const auto& w : report.warnings) spdlog::warn("{}", w);
    spdlog::info("run finished in {:.2f} s, peak memory {:.1f} MiB ({})", report.total_seconds,
                 report.peak_memory_bytes / 1048576.0, report.memory_kind);
    return result;
}

}  // namespace studio
