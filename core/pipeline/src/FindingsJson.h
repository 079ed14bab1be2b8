#pragma once
// JSON forms of the audit's findings, per-layer table and decode attempts (report.json).
#include <nlohmann/json.hpp>

#include <vector>

#include "studio/RunFindings.h"

namespace studio {

nlohmann::json findings_to_json(const std::vector<Finding>& findings);
std::vector<Finding> findings_from_json(const nlohmann::json& j);
nlohmann::json layers_to_json(const std::vector<LayerStats>& layers);
std::vector<LayerStats> layers_from_json(const nlohmann::json& j);
nlohmann::json attempts_to_json(const std::vector<DecodeAttempt>& attempts);
std::vector<DecodeAttempt> attempts_from_json(const nlohmann::json& j);

}  // namespace studio
