#pragma once
// What an exported image carries about how it was made, and reading it back.
#include <map>
#include <string>

#include "studio/Generation.h"

namespace studio {

// Key of the full JSON record; "parameters" holds the A1111-style summary.
inline constexpr const char* kProvenanceJsonKey = "precision-studio";
inline constexpr const char* kParametersKey = "parameters";

// "prompt\nNegative prompt: ...\nSteps: 28, Sampler: euler, CFG scale: 5, Seed: 42, Size: 1024x1024, ..."
std::string a1111_parameters(const GenerationParams& params, const RunReport* report = nullptr);

// Text entries for an exported image: "parameters" + the JSON record (params, requested and
// effective precision per module, timings, weight hashes, app version, optional extra JSON).
std::map<std::string, std::string> provenance_text(const RunReport& report, const std::string& extra_json = {});

// Restores generation settings from an image's text entries (our JSON preferred, the A1111
// line otherwise). Returns false and sets *error when nothing usable is there.
bool params_from_provenance(const std::map<std::string, std::string>& text, GenerationParams& out,
                            std::string* error = nullptr, RunReport* report = nullptr);

std::string app_version();

}  // namespace studio
