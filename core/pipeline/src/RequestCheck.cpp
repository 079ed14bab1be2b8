#include "studio/RequestCheck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/BlockPaths.h"
#include "studio/ModelFolder.h"
#include "studio/SafeTensors.h"

namespace studio {

namespace {
constexpr int kMaxSide = 4096;
constexpr int kMaxSteps = 1000;

std::string gib(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

// Elements of every tensor of a component, from the file headers only.
int64_t component_elements(const std::optional<ComponentFiles>& c, bool blocks_only = false) {
    if (!c) return 0;
    int64_t n = 0;
    for (const auto& f : c->weight_files) {
        try {
            const auto file = SafeTensorFile::open(f);  // keeps the entries alive while summing
            for (const auto& e : file->entries())
                if (!blocks_only || is_streamed_block_path(e.name)) n += e.numel();
        } catch (const StudioError&) {
            // The load reports a broken file with its name; the estimate just skips it.
        }
    }
    return n;
}

nlohmann::json config_of(const std::optional<ComponentFiles>& c) {
    if (!c || c->config_path.empty()) return nlohmann::json::object();
    try {
        const auto j = read_json_file(c->config_path);
        return j.is_object() ? j : nlohmann::json::object();
    } catch (const StudioError&) {
        return nlohmann::json::object();
    }
}

int64_t int_or(const nlohmann::json& j, const char* key, int64_t fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() && it->get<int64_t>() > 0 ? it->get<int64_t>() : fallback;
}

// Bytes a weight takes while resident: reduced precisions are stored as such on CUDA and with
// native CPU kernels; emulation keeps fp32 storage.
int64_t weight_bytes(const GenerationParams& p, Module m) {
    const Precision prec = p.precision.get(m);
    const bool reduced = prec == Precision::BF16 || prec == Precision::FP16;
    const bool stored_reduced = reduced && (p.device == DeviceKind::CUDA || p.numerics == NumericsMode::Native);
    return stored_reduced ? 2 : 4;
}

[[noreturn]] void refuse(const std::string& what) { throw ConfigError(what); }

void check_finite(double v, const char* name) {
    if (!std::isfinite(v)) refuse(std::string(name) + " must be a finite number (got " + std::to_string(v) + ")");
}
}  // namespace

std::string MemoryEstimate::describe() const {
    std::string s = "about " + gib(total()) + " (weights " + gib(weights) + ", transformer activations " + gib(dit) +
                    ", VAE decode " + gib(vae_decode) + ")";
    s += available >= 0 ? "; " + gib(available) + " available" : "; available memory unknown";
    return s;
}

int64_t available_system_memory() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    int64_t kib = 0;
    std::string unit;
    while (in >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024;
    return -1;
}

MemoryEstimate estimate_run_memory(const GenerationParams& p) {
    MemoryEstimate m;
    m.available = p.device == DeviceKind::CPU ? available_system_memory() : -1;
    const double pixels = static_cast<double>(std::max(p.width, 0)) * static_cast<double>(std::max(p.height, 0));
    std::optional<ModelFolder> folder;
    try {
        folder = discover_model_folder(p.model_dir);
    } catch (const StudioError&) {
    }
    nlohmann::json dit_cfg = nlohmann::json::object(), vae_cfg = nlohmann::json::object();
    if (folder) {
        m.text_weights = component_elements(folder->text_encoder) * weight_bytes(p, Module::Text) +
                         component_elements(folder->clip) * weight_bytes(p, Module::Clip);
        m.text_block_weights = component_elements(folder->text_encoder, true) * weight_bytes(p, Module::Text);
        m.weights = m.text_weights + component_elements(folder->transformer) * weight_bytes(p, Module::Dit) +
                    component_elements(folder->vae) * weight_bytes(p, Module::Vae);
        dit_cfg = config_of(folder->transformer);
        vae_cfg = config_of(folder->vae);
    }
    // DiT: (H/16)(W/16) image tokens, batch 2 (CFG), ~12 live tensors of width `dim` per token.
    const double tokens = pixels / 256.0 + 512.0;
    m.dit = static_cast<int64_t>(tokens * static_cast<double>(int_or(dit_cfg, "dim", 2304)) * 4.0 * 12.0 * 2.0);
    // VAE decoder: the last up blocks run at full resolution with the two widest of their channel
    // counts; ~3 such tensors are alive at once (input, normalised copy, convolution output).
    int64_t channels = 128;
    if (const auto it = vae_cfg.find("block_out_channels"); it != vae_cfg.end() && it->is_array() && !it->empty()) {
        channels = 0;
        for (size_t i = 0; i < std::min<size_t>(2, it->size()); ++i)
            if ((*it)[i].is_number_integer()) channels = std::max(channels, (*it)[i].get<int64_t>());
    }
    m.vae_decode = static_cast<int64_t>(pixels * static_cast<double>(channels) * 4.0 * 3.0);
    return m;
}

void check_request(const GenerationParams& p) {
    check_finite(p.cfg_scale, "CFG scale");
    check_finite(p.cfg_trunc, "CFG truncation");
    check_finite(p.renorm_cfg, "CFG renormalisation");
    check_finite(p.shift, "time shift");
    for (Module m : kAllModules)
        if (p.precision.get(m) == Precision::AutocastFP16 && p.device == DeviceKind::CPU)
            refuse(to_string(m) + "=autocast-fp16 runs on CUDA only: libtorch's CPU autocast lowers to bf16 "
                   "(use autocast-bf16, or fp16 emulated)");
    if (p.cfg_scale < 0) refuse("CFG scale must be >= 0 (got " + std::to_string(p.cfg_scale) + ")");
    if (p.cfg_trunc < 0) refuse("CFG truncation must be >= 0 (got " + std::to_string(p.cfg_trunc) + ")");
    if (p.renorm_cfg < 0) refuse("CFG renormalisation must be >= 0 (got " + std::to_string(p.renorm_cfg) + ")");
    if (!(p.shift > 0)) refuse("time shift must be > 0 (got " + std::to_string(p.shift) + ")");
    if (p.steps < 1 || p.steps > kMaxSteps)
        refuse("steps must be between 1 and " + std::to_string(kMaxSteps) + " (got " + std::to_string(p.steps) + ")");
    const bool too_big = p.width > kMaxSide || p.height > kMaxSide;
    if (p.width < 8 || p.height < 8 || too_big) {
        std::string msg = "image size must be between 8 and " + std::to_string(kMaxSide) + " pixels per side (got " +
                          std::to_string(p.width) + "x" + std::to_string(p.height) + ")";
        if (too_big) msg += "; that run would need " + estimate_run_memory(p).describe();
        refuse(msg);
    }
    if (p.device != DeviceKind::CPU) return;  // CUDA: an out-of-memory error is reported with the estimate
    check_fits(estimate_run_memory(p));
}

MemoryPolicy choose_memory_policy(MemoryPolicy asked, bool cuda, const MemoryEstimate& need, int64_t usable,
                                  std::string& reason) {
    if ((asked == MemoryPolicy::Offload || asked == MemoryPolicy::Sequential) && !cuda) {
        reason = to_string(asked) + " asked, but the run is on the CPU: the weights stay where they are";
        return MemoryPolicy::Keep;
    }
    if (asked == MemoryPolicy::Sequential) {
        reason = "asked: the text encoder's and the transformer's layers stream from host memory, one at a time";
        return asked;
    }
    if (asked != MemoryPolicy::Auto) {
        reason = "asked";
        return asked;
    }
    if (!cuda) {
        reason = "auto: a CPU run keeps the encoders cached";
        return MemoryPolicy::Keep;
    }
    // Release is never picked here: a warm run reloads the encoders next to the cached
    // transformer, so its peak is the whole run's again.
    if (usable < 0) {
        reason = "auto: the device's free memory is unknown: the text encoder's layers stay in host memory";
        return MemoryPolicy::Offload;
    }
    const double room = 0.9 * static_cast<double>(usable);
    reason = "auto: the run needs about " + gib(need.total()) + " with every module resident, " + gib(usable) +
             " is usable on the device";
    if (static_cast<double>(need.total()) <= room) return MemoryPolicy::Keep;
    if (static_cast<double>(need.offloaded()) <= room) {
        reason += ": the text encoder's layers stay in host memory (about " + gib(need.offloaded()) + " on the device)";
        return MemoryPolicy::Offload;
    }
    reason += ", and about " + gib(need.offloaded()) +
              " with the text encoder's layers in host memory: the layers stream from host memory (sequential)";
    return MemoryPolicy::Sequential;
}

void check_fits(const MemoryEstimate& m) {
    if (m.available >= 0 && m.total() > m.available)
        refuse("this run needs more memory than the machine has free: " + m.describe() +
               "; choose a smaller image size or reduced precision");
}

}  // namespace studio
