#pragma once
// Diagnostic faults (precision-cli --inject, selftest-audit): each one breaks a run the way a
// silent downgrade or overflow would, so the audit can be shown to catch it.
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "studio/Precision.h"

namespace studio {

enum class FaultKind { SkipRounding, Fp16AsBf16, Bf16AsFp32, Fp32Weights, Inf, Overflow, ZeroImage, AutocastOff };

struct FaultSpec {
    FaultKind kind{FaultKind::Inf};
    Module module{Module::Dit};
    std::string layer;  // path inside the module ("layers.1"), "" = the module's first block

    // "inf:dit.layers.1", "skip-rounding:vae", "zero-image", ... Throws ConfigError.
    static FaultSpec parse(const std::string& spec);
    std::string to_string() const;
    // The precision the fault needs the module to be asked for (fp16-as-bf16 needs fp16, ...).
    std::optional<Precision> required_precision() const;
};

// fp32-weights: gives the parameters under `layer` ("" = all) of an emulated module values that
// need more than its storage dtype, as weights left behind in fp32 would have. Throws
// ConfigError when no parameter is under `layer`.
void leave_weights_uncast(torch::nn::Module& module, const std::string& layer);

// Every fault kind's name, for help texts and selftest-audit.
std::vector<std::string> fault_kind_names();

}  // namespace studio
