#pragma once
// What an exported image carries about how it was made, and reading it back.
#include <map>
#include <string>

#include "studio/Generation.h"

namespace studio {

// Key of the full JSON record; "parameters" holds the A1111-style summary.
inline constexpr const char* kProvenanceJsonKey = "precision-studio";
inline constexpr const char* kParametersKey = "parameters";

// "prompt\nNegative prompt: ...\nSteps: 28, Sampler: Euler, CFG scale: 5, Seed: 42, Size: 1024x1024,
//  Model hash: 0123456789, Model: newbie-demo, ..., Precision: \"text=fp32,clip=fp32,dit=bf16,vae=bf16\", ..."
// in A1111's infotext form (see Infotext.h): every item survives A1111's parser.
std::string a1111_parameters(const GenerationParams& params, const RunReport* report = nullptr);

// Sampler names as the ecosystem writes them ("Euler"); parsing accepts any letter case.
std::string sampler_infotext_name(SamplerKind s);
bool parse_sampler_name(const std::string& name, SamplerKind& out);
// The model folder's last component: "/home/me/models/NewBie-image-Exp0.1/" -> "NewBie-image-Exp0.1".
std::string model_name(const std::string& model_dir);
// "Model hash": the first 10 hex digits of the transformer's weight hash ("" when unknown).
std::string model_hash(const RunReport& report);
// True when an A1111-style text carries "Version: Precision Studio ...".
bool is_precision_studio_infotext(const std::string& parameters);

// Whether exported records keep the model folder's absolute path. By default only its name is
// kept (in params.model_dir and in any warning or note quoting it); FullPath, or the environment
// variable PRECISION_STUDIO_RECORD_PATHS=1, keeps the path.
enum class ProvenancePaths { NameOnly, FullPath };

// Text entries for an exported image: "parameters" + the JSON record (params, requested and
// effective precision per module, timings, weight hashes, app version, optional extra JSON).
std::map<std::string, std::string> provenance_text(const RunReport& report, const std::string& extra_json = {},
                                                   ProvenancePaths paths = ProvenancePaths::NameOnly);

// Restores generation settings from an image's text entries written by this program (our JSON
// preferred, our A1111 line otherwise). Returns false and sets *error when nothing usable is
// there, or when the text comes from another tool (see ForeignMetadata.h for those).
bool params_from_provenance(const std::map<std::string, std::string>& text, GenerationParams& out,
                            std::string* error = nullptr, RunReport* report = nullptr);

std::string app_version();

}  // namespace studio
