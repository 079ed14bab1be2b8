#pragma once
// The tokenizer.json runtime over an already parsed document, for routes that build the
// document in memory (SentencePiece models).
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "studio/tokenizers/Tokenizer.h"

namespace studio {

// `path` names the source in id errors; `description` replaces the default "HF tokenizers
// <type> (<file>, <summary>)" when not empty. Throws TokenizerError (without the file
// name) or nlohmann::json::exception on content the runtime rejects; callers add the file.
std::unique_ptr<Tokenizer> make_json_tokenizer(const nlohmann::json& j, const std::string& path,
                                               const std::string& description = {});

}  // namespace studio
