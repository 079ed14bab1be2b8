// Run steps 1-2: load the four modules (cached) and encode the prompt.
#include <spdlog/spdlog.h>

#include <memory>

#include "RunSteps.h"
#include "WeightHash.h"
#include "studio/Errors.h"
#include "studio/PromptFormat.h"

namespace studio {

namespace {
constexpr int kTextTokenLimit = 512;

torch::Tensor to_tensor(const std::vector<std::vector<int64_t>>& rows) {
    const int64_t b = static_cast<int64_t>(rows.size()), l = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
    auto t = torch::empty({b, l}, torch::kInt64);
    for (int64_t i = 0; i < b; ++i) std::copy(rows[i].begin(), rows[i].end(), t[i].data_ptr<int64_t>());
    return t;
}

template <typename M>
ModuleReport module_report(Module m, const GenerationParams& p, const Loaded<M>& l) {
    ModuleReport r;
    r.module = m;
    r.requested = to_string(p.precision.get(m));
    r.numerics = l.nx.label();
    r.weight_dtypes = l.weight_dtypes;
    r.load_seconds = l.from_cache ? 0 : l.load_seconds;
    r.from_cache = l.from_cache;
    return r;
}

}  // namespace

std::shared_ptr<Tokenizer> cached_tokenizer(ModelCache& cache, const std::string& kind, const ComponentFiles& c) {
    return cache.get_or_load<Tokenizer>(kind, c.tokenizer_dir.empty() ? c.dir : c.tokenizer_dir,
                                        [&] { return std::shared_ptr<Tokenizer>(load_component_tokenizer(c)); });
}

RunContext::RunContext(const GenerationParams& p, const JobCallbacks& cb, const CancelToken& c, RunReport& r)
    : params(p),
      callbacks(cb),
      cancel(c),
      report(r),
      device(p.device == DeviceKind::CUDA ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU)),
      memory(device.is_cuda()),
      t_start(std::chrono::steady_clock::now()) {
    if (!p.inject.empty()) fault = FaultSpec::parse(p.inject);
    if (p.audit != AuditLevel::Off || fault) trace = std::make_unique<RunTrace>(p.audit, fault);
    facts.fault = fault;
    memory_policy = resolve_memory_policy(p, device, memory_policy_reason);
}

Numerics RunContext::numerics(Module m) const {
    const Precision asked = params.precision.get(m);
    Numerics nx = Numerics::make(asked, device, params.numerics);
    if (!fault || fault->module != m) return nx;
    if (const auto need = fault->required_precision()) {
        const bool ok = *need == Precision::FP16 ? asked == Precision::FP16 : nx.reduced();
        if (!ok)
            throw ConfigError("fault " + fault->to_string() + " needs " + to_string(m) + " in " +
                              (*need == Precision::FP16 ? "fp16" : "bf16 or fp16") + " (asked " + to_string(asked) + ")");
    }
    switch (fault->kind) {
        case FaultKind::SkipRounding:
            if (!nx.emulated) throw ConfigError("fault skip-rounding needs emulated numerics (--numerics emulated)");
            nx.fault_rounding = torch::kFloat32;
            break;
        case FaultKind::Fp16AsBf16:
            if (nx.emulated) nx.fault_rounding = torch::kBFloat16;
            else nx = Numerics::make(Precision::BF16, device, params.numerics);
            break;
        case FaultKind::Bf16AsFp32: nx = Numerics::make(Precision::FP32, device); break;
        case FaultKind::AutocastOff:
            if (!nx.autocast())
                throw ConfigError("fault " + fault->to_string() + " needs " + to_string(m) +
                                  " in autocast-bf16 or autocast-fp16 (asked " + to_string(asked) + ")");
            nx.fault_autocast_off = true;
            break;
        case FaultKind::Fp32Weights:
            if (!nx.emulated) throw ConfigError("fault fp32-weights needs emulated numerics (--numerics emulated)");
            break;
        default: break;
    }
    return nx;
}

RunContext::ModuleScope::ModuleScope(RunContext& ctx, Module m, const torch::nn::Module& root, const Numerics& nx)
    : scope(ctx.trace.get()) {
    if (ctx.trace) ctx.trace->begin_module(m, root, nx);
}

double RunContext::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
}

void RunContext::progress(const std::string& stage, int step, int steps, double eta) const {
    if (callbacks.on_progress) callbacks.on_progress(ProgressInfo{stage, step, steps, elapsed(), eta});
}

void observe(ModuleReport& r, const torch::Tensor& t, const Numerics& nx) { observe_dtype(r, observed_dtype(t, nx), nx); }

void observe_dtype(ModuleReport& r, const std::string& seen, const Numerics& nx) {
    r.activation_dtypes[seen] += 1;
    const std::string want = dtype_name(nx.storage());
    // Under autocast an output in the lowered dtype is what was asked for as well.
    const bool autocast_ok = nx.autocast() && seen == dtype_name(*nx.autocast());
    if (seen != want && !autocast_ok) {
        r.mismatch = true;
        r.note = "asked for " + r.requested + ", output was " + seen;
    }
    for (const auto& [dtype, n] : r.weight_dtypes)
        if (dtype != want && dtype != "int64" && dtype != "bool") {
            r.mismatch = true;
            r.note = std::to_string(n) + " weights resident in " + dtype + " (expected " + want + ")";
        }
}

namespace {
// fp32-weights bends the loaded weights: such a model gets its own cache entry.
// so does a model whose blocks stream from host memory (offload, sequential).
std::string fault_suffix(const RunContext& ctx, Module mod) {
    std::string s = ctx.fault_is(FaultKind::Fp32Weights, mod) ? "|" + ctx.fault->to_string() : "";
    if (streams_blocks(ctx, mod)) s += "|streamed";
    return s;
}
// A streamed module's blocks load into host memory; the cache holds one layout of a kind at a time.
std::unique_ptr<StreamedLoadScope> streamed_load(const RunContext& ctx, ModelCache& cache, const std::string& kind, Module mod) {
    if (!streams_blocks(ctx, mod)) {
        cache.release_kind_with(kind, "|streamed");
        return nullptr;
    }
    cache.release_kind_except(kind, "|streamed");
    return std::make_unique<StreamedLoadScope>();
}
void bend_weights(const RunContext& ctx, Module mod, torch::nn::Module& module) {
    if (ctx.fault_is(FaultKind::Fp32Weights, mod)) leave_weights_uncast(module, ctx.fault->layer);
}
}  // namespace

void load_text_step(RunContext& ctx, ModelCache& cache, const ModelFolder& folder, LoadedModels& m) {
    const auto& te = folder.require(ComponentKind::TextEncoder);
    const auto& ce = folder.require(ComponentKind::Clip);
    for (const auto kind : {ComponentKind::TextEncoder, ComponentKind::Clip, ComponentKind::Transformer, ComponentKind::Vae}) {
        const auto& c = folder.require(kind);
        ctx.report.weight_hashes[to_string(c.kind)] = weight_files_hash(c.weight_files);
    }
    ctx.progress("load", 0, ctx.params.steps, -1);
    ctx.timed("load", [&] {
        m.gemma_tok = cached_tokenizer(cache, "tokenizer-gemma", te);
        m.jina_tok = cached_tokenizer(cache, "tokenizer-jina", ce);
        const Numerics nt = ctx.numerics(Module::Text), nc = ctx.numerics(Module::Clip);
        m.gemma = load_cached<Gemma3Text>(cache, "gemma", te, nt, [&] {
            const auto streamed = streamed_load(ctx, cache, "gemma", Module::Text);
            auto g = load_gemma(te, nt);
            bend_weights(ctx, Module::Text, *g);
            return g;
        }, fault_suffix(ctx, Module::Text));
        ctx.cancel.throw_if_cancelled();
        m.jina = load_cached<JinaText>(cache, "jina", ce, nc, [&] {
            auto j = load_jina(ce, nc);
            bend_weights(ctx, Module::Clip, *j);
            return j;
        }, fault_suffix(ctx, Module::Clip));
    });
    m.text_dim = m.gemma->model->config().hidden_size;
    ctx.facts.numerics[Module::Text] = m.gemma->nx;
    ctx.facts.numerics[Module::Clip] = m.jina->nx;
    ctx.facts.uncast_weights[Module::Text] = m.gemma->uncast;
    ctx.facts.uncast_weights[Module::Clip] = m.jina->uncast;
    ctx.cancel.throw_if_cancelled();
    ctx.report.modules.push_back(module_report(Module::Text, ctx.params, *m.gemma));
    ctx.report.modules.push_back(module_report(Module::Clip, ctx.params, *m.jina));
    if (ctx.params.precision.get(Module::Text) == Precision::FP16)
        ctx.report.warnings.push_back("Gemma 3 is known to overflow in fp16 (empty or NaN features); bf16 or fp32 is safer");
}

void load_image_step(RunContext& ctx, ModelCache& cache, const ModelFolder& folder, LoadedModels& m) {
    const auto& de = folder.require(ComponentKind::Transformer);
    const auto& ve = folder.require(ComponentKind::Vae);
    ctx.timed("load", [&] {
        const Numerics nd = ctx.numerics(Module::Dit), nv = ctx.numerics(Module::Vae);
        m.dit = load_cached<NextDiT>(cache, "dit", de, nd, [&] {
            const auto streamed = streamed_load(ctx, cache, "dit", Module::Dit);
            auto d = load_dit(de, nd, m.text_dim);
            bend_weights(ctx, Module::Dit, *d);
            return d;
        }, fault_suffix(ctx, Module::Dit));
        ctx.cancel.throw_if_cancelled();
        m.vae = load_cached<Vae>(cache, "vae", ve, nv, [&] {
            auto v = load_vae(ve, nv);
            bend_weights(ctx, Module::Vae, *v.decoder);
            return v;
        }, fault_suffix(ctx, Module::Vae));
    });
    ctx.facts.numerics[Module::Dit] = m.dit->nx;
    ctx.facts.numerics[Module::Vae] = m.vae->nx;
    ctx.facts.uncast_weights[Module::Dit] = m.dit->uncast;
    ctx.facts.uncast_weights[Module::Vae] = m.vae->uncast;
    ctx.cancel.throw_if_cancelled();
    ctx.report.modules.push_back(module_report(Module::Dit, ctx.params, *m.dit));
    ctx.report.modules.push_back(module_report(Module::Vae, ctx.params, *m.vae));
}

Conditioning encode_step(RunContext& ctx, const LoadedModels& m, const std::string& prompt, const std::string& negative) {
    const auto& p = ctx.params;
    Conditioning c;
    c.cfg = p.cfg_scale != 1.0f;
    std::vector<std::string> gemma_texts{gemma_input_text(prompt, p.system_prompt, p.custom_system_prompt)};
    std::vector<std::string> jina_texts{jina_input_text(prompt)};
    if (c.cfg) {
        gemma_texts.push_back(gemma_input_text(negative, p.system_prompt, p.custom_system_prompt));
        jina_texts.push_back(jina_input_text(negative));
    }
    ctx.progress("encode", 0, p.steps, -1);
    ctx.timed("encode", [&] {
        const TokenBatch gb = make_gemma_batch(*m.gemma_tok, gemma_texts, 1 << 20, 8);
        for (size_t i = 0; i < gb.lengths.size(); ++i)
            if (gb.lengths[i] > kTextTokenLimit)
                throw ConfigError(std::string(i == 0 ? "prompt" : "negative prompt") + " is " + std::to_string(gb.lengths[i]) +
                                  " tokens long (system prompt included); the text encoder takes at most " +
                                  std::to_string(kTextTokenLimit));
        c.cap_mask = to_tensor(gb.mask).to(ctx.device);
        auto gemma = m.gemma->model;
        torch::Tensor feats;
        {
            RunContext::ModuleScope scope(ctx, Module::Text, *gemma, m.gemma->nx);
            feats = gemma_caption_features(gemma, to_tensor(gb.ids).to(ctx.device), c.cap_mask);
            if (ctx.trace) feats = ctx.trace->module_output(feats);
        }
        observe(ctx.report.modules[0], feats, m.gemma->nx);
        c.cap_feats = feats.to(torch::kFloat32);  // explicit boundary cast; the DiT casts to its own dtype
        ctx.report.checks.push_back(check_tensor(
            "text features", c.cap_feats.masked_select(c.cap_mask.unsqueeze(-1).to(torch::kBool)), dtype_max(m.gemma->nx)));
        ctx.cancel.throw_if_cancelled();
        const TokenBatch jb = make_jina_batch(*m.jina_tok, jina_texts, 8192);
        auto jina = m.jina->model;
        torch::Tensor pooled_raw;
        {
            RunContext::ModuleScope scope(ctx, Module::Clip, *jina, m.jina->nx);
            pooled_raw = jina_pooled(jina, to_tensor(jb.ids).to(ctx.device));
            if (ctx.trace) pooled_raw = ctx.trace->module_output(pooled_raw);
        }
        observe(ctx.report.modules[1], pooled_raw, m.jina->nx);
        c.pooled = pooled_raw.to(torch::kFloat32);
        ctx.report.checks.push_back(check_tensor("clip pooled", c.pooled, dtype_max(m.jina->nx)));
    });
    ctx.cancel.throw_if_cancelled();
    return c;
}

}  // namespace studio
