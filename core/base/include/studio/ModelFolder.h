#pragma once
// Finds the components of a NewBie model folder, in the official release layout
// (transformer/, text_encoder/, clip_model/, vae/) or the diffusers layout
// (transformer/, text_encoder/, text_encoder_2/, tokenizer/, tokenizer_2/, vae/, scheduler/).
#include <optional>
#include <string>
#include <vector>

namespace studio {

enum class ComponentKind { Transformer, TextEncoder, Clip, Vae };
std::string to_string(ComponentKind k);

enum class FolderLayout { Official, Diffusers, Single };
std::string to_string(FolderLayout l);

struct ComponentFiles {
    ComponentKind kind{ComponentKind::Transformer};
    std::string dir;                       // the component's folder
    std::string config_path;               // config.json ("" if absent)
    std::string index_path;                // *.safetensors.index.json ("" if not sharded)
    std::vector<std::string> weight_files; // absolute paths, sorted
    std::string tokenizer_dir;             // where tokenizer files live ("" for DiT / VAE)
    std::string tokenizer_model;           // SentencePiece tokenizer.model ("" if absent)
    std::string tokenizer_json;            // HF tokenizer.json ("" if absent)
};

struct ModelFolder {
    std::string root;
    FolderLayout layout{FolderLayout::Official};
    std::optional<ComponentFiles> transformer, text_encoder, clip, vae;
    std::vector<std::string> warnings;
    // model_index.json "_precision_studio": {"prompt_layout": "compact_xml"}: the model was trained
    // on XML prompts without line breaks or indentation between tags (the embedded demo model).
    bool compact_xml_prompts{false};

    const std::optional<ComponentFiles>& component(ComponentKind k) const;
    // Throws ModelLoadError naming the missing component and where it was looked for.
    const ComponentFiles& require(ComponentKind k) const;
};

// Throws ModelLoadError when `root` is not a folder or has none of the known components.
ModelFolder discover_model_folder(const std::string& root);

// Weight files of one component folder: through the index if present (every shard must
// exist), else every *.safetensors in the folder.
std::vector<std::string> component_weight_files(const std::string& dir, std::string* index_path = nullptr);

}  // namespace studio
