#pragma once
// Turns what a run observed (per-site numerics, weights, decode attempts, the hardware) into
// findings with stable codes. Only observations count: a finding never repeats the request.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "RunTrace.h"
#include "studio/Generation.h"
#include "studio/Numerics.h"

namespace studio {

struct AuditFacts {
    std::map<Module, Numerics> numerics;                       // as each module ran
    std::map<Module, std::vector<std::string>> uncast_weights;  // parameter names not in the storage dtype
    std::optional<FaultSpec> fault;
};

// Appends the findings of a finished run to report.findings (and report.layers from the trace).
void add_findings(RunReport& report, const RunTrace* trace, const AuditFacts& facts);

// Names of `module`'s parameters whose values are not in nx's storage dtype (exactly
// representable in it, when emulating).
std::vector<std::string> uncast_parameters(torch::nn::Module& module, const Numerics& nx);

}  // namespace studio
