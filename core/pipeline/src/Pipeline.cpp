// Text -> image, one run: load (cached) -> encode -> sample -> decode -> report, audited at
// every boundary. The steps live in LoadEncodeSteps.cpp and SampleDecodeSteps.cpp.
#include <spdlog/spdlog.h>

#include "ModelCache.h"
#include "RunSteps.h"
#include "studio/Errors.h"
#include "studio/Generation.h"
#include "studio/ModelFolder.h"
#include "studio/PromptFormat.h"
#include "studio/Provenance.h"
#include "studio/RequestCheck.h"

namespace studio {

namespace {

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
    auto tok = cached_tokenizer(m_state->cache, "tokenizer-gemma", folder.require(ComponentKind::TextEncoder));
    const std::string text = folder.compact_xml_prompts ? compact_xml_layout(prompt) : prompt;
    return static_cast<int>(tok->encode(gemma_input_text(text, mode)).size()) + 1;  // + BOS
}

RunResult Pipeline::run(const GenerationParams& params, const JobCallbacks& callbacks, const CancelToken& cancel) {
    return run_with_noise(params, {}, callbacks, cancel);
}

RunResult Pipeline::run_with_noise(const GenerationParams& params, const std::vector<float>& initial_noise,
                                   const JobCallbacks& callbacks, const CancelToken& cancel) {
    // Inference only: the modules are differentiable, the pipeline never needs their graph.
    c10::InferenceMode inference;
    configure_torch_threads();
    check_request(params);  // NaN, ranges, memory estimate, before anything loads
    validate(params);
    RunResult result;
    RunReport& report = result.report;
    report.params = params;
    report.app_version = app_version();
    RunContext ctx(params, callbacks, cancel, report);
    report.device_name = device_description(ctx.device);
    spdlog::info("run: {} | precision {}", params.to_string(), params.precision.describe_sources());

    const ModelFolder folder = discover_model_folder(params.model_dir);
    // The encoders see the prompt as typed, unless the model folder says it was trained on compact XML.
    const bool compact = folder.compact_xml_prompts;
    report.prompt_layout = compact ? "compact XML (asked by the model folder)" : "as typed";

    // Text encoders first, so that under the release / offload policies they are gone before the
    // transformer and the VAE load: the peak is the larger of the two halves, not their sum.
    LoadedModels models;
    load_text_step(ctx, m_state->cache, folder, models);
    const Conditioning cond = encode_step(ctx, models, compact ? compact_xml_layout(params.prompt) : params.prompt,
                                          compact ? compact_xml_layout(params.negative) : params.negative);
    text_encoder_policy_step(ctx, m_state->cache, models);
    load_image_step(ctx, m_state->cache, folder, models);
    const torch::Tensor latent = sample_step(ctx, models, cond, initial_noise);
    const torch::Tensor image = decode_step(ctx, m_state->cache, models, folder.require(ComponentKind::Vae), latent);
    report_step(ctx, result, image);
    return result;
}

}  // namespace studio
