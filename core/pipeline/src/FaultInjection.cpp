#include "FaultInjection.h"

#include <cmath>

#include "studio/AuditSelfTest.h"
#include "studio/Errors.h"

namespace studio {

namespace {
struct KindName {
    FaultKind kind;
    const char* name;
    bool layer_allowed;
};
constexpr KindName kKinds[] = {
    {FaultKind::SkipRounding, "skip-rounding", false}, {FaultKind::Fp16AsBf16, "fp16-as-bf16", false},
    {FaultKind::Bf16AsFp32, "bf16-as-fp32", false},    {FaultKind::Fp32Weights, "fp32-weights", true},
    {FaultKind::Inf, "inf", true},                      {FaultKind::Overflow, "overflow", true},
    {FaultKind::ZeroImage, "zero-image", false},        {FaultKind::AutocastOff, "autocast-off", false},
};
}  // namespace

void leave_weights_uncast(torch::nn::Module& module, const std::string& layer) {
    torch::NoGradGuard no_grad;
    int touched = 0;
    for (auto& item : module.named_parameters(true)) {
        const std::string& name = item.key();
        const bool under = layer.empty() || name == layer || name.rfind(layer + ".", 0) == 0;
        if (!under || !item.value().is_floating_point()) continue;
        // One more mantissa bit than bf16 and fp16 keep: the values an uncast fp32 copy would hold.
        item.value().mul_(1.0 + std::ldexp(1.0, -12));
        ++touched;
    }
    if (!touched) throw ConfigError("fault fp32-weights: no parameter under '" + layer + "'");
}

std::vector<std::string> fault_kind_names() {
    std::vector<std::string> out;
    for (const auto& k : kKinds) out.push_back(k.name);
    return out;
}

std::string fault_spec_error(const std::string& spec) {
    try {
        (void)FaultSpec::parse(spec);
        return {};
    } catch (const StudioError& e) {
        return e.what();
    }
}

FaultSpec FaultSpec::parse(const std::string& spec) {
    const auto colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    const KindName* kind = nullptr;
    for (const auto& k : kKinds)
        if (name == k.name) kind = &k;
    std::string names;
    for (const auto& n : fault_kind_names()) names += (names.empty() ? "" : ", ") + n;
    if (!kind) throw ConfigError("unknown fault '" + spec + "' (known: " + names + ")");
    FaultSpec f;
    f.kind = kind->kind;
    if (f.kind == FaultKind::ZeroImage) {
        if (colon != std::string::npos) throw ConfigError("fault zero-image takes no module");
        f.module = Module::Vae;
        return f;
    }
    if (colon == std::string::npos) throw ConfigError("fault '" + spec + "' needs a module: " + name + ":MODULE");
    const std::string target = spec.substr(colon + 1);
    const auto dot = target.find('.');
    const auto module = parse_module(target.substr(0, dot));
    if (!module) throw ConfigError("fault '" + spec + "': unknown module '" + target.substr(0, dot) + "' (text, clip, dit, vae)");
    f.module = *module;
    if (dot != std::string::npos) {
        if (!kind->layer_allowed) throw ConfigError("fault " + name + " applies to a whole module, not a layer");
        f.layer = target.substr(dot + 1);
        if (f.layer.empty()) throw ConfigError("fault '" + spec + "': empty layer name");
    }
    return f;
}

std::string FaultSpec::to_string() const {
    for (const auto& k : kKinds)
        if (k.kind == kind) {
            if (kind == FaultKind::ZeroImage) return k.name;
            return std::string(k.name) + ":" + studio::to_string(module) + (layer.empty() ? "" : "." + layer);
        }
    return "?";
}

std::optional<Precision> FaultSpec::required_precision() const {
    switch (kind) {
        case FaultKind::Fp16AsBf16: return Precision::FP16;
        case FaultKind::Bf16AsFp32:
        case FaultKind::SkipRounding:
        case FaultKind::Fp32Weights: return Precision::BF16;
        default: return std::nullopt;
    }
}

}  // namespace studio
