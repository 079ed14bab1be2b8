#pragma once
// Dtype names for messages and strict parsing at the edges (sweep lists, specs).
#include <string>

#include "studio/Precision.h"

namespace studio {

// Every dtype in its short form, for messages: "fp32, tf32, bf16, fp16".
std::string precision_names();
// parse_precision or ConfigError "unknown dtype 'fp64' (expected fp32, tf32, bf16, fp16)".
Precision require_precision(const std::string& s);

}  // namespace studio
