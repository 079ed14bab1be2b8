#include "studio/ModelIndex.h"

#include "studio/Json.h"

namespace studio {

void write_official_model_index(const std::string& path, const nlohmann::json& studio_extra) {
    write_json_file(path, nlohmann::json{{"_class_name", "NewbiePipeline"},
                                         {"transformer", {"transformer", "NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP"}},
                                         {"text_encoder", {"text_encoder", "Gemma3ForConditionalGeneration"}},
                                         {"tokenizer", {"text_encoder", "AutoTokenizer"}},
                                         {"clip_model", {"clip_model", "JinaCLIPModel"}},
                                         {"clip_tokenizer", {"clip_model", "AutoTokenizer"}},
                                         {"vae", {"vae", "AutoencoderKL"}},
                                         {"_precision_studio", studio_extra}});
}

}  // namespace studio
