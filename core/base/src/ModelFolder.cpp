#include "studio/ModelFolder.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "studio/Errors.h"
#include "studio/Json.h"

namespace fs = std::filesystem;

namespace studio {

std::string to_string(ComponentKind k) {
    switch (k) {
        case ComponentKind::Transformer: return "transformer";
        case ComponentKind::TextEncoder: return "text_encoder";
        case ComponentKind::Clip: return "clip";
        case ComponentKind::Vae: return "vae";
    }
    return "?";
}

std::string to_string(FolderLayout l) {
    switch (l) {
        case FolderLayout::Official: return "official";
        case FolderLayout::Diffusers: return "diffusers";
        case FolderLayout::Single: return "single component";
    }
    return "?";
}

namespace {
// A shard name from an index must stay inside the component folder: a plain relative path
// without "..", so a downloaded index cannot make the studio map /etc/shadow or ../../x.
bool shard_name_is_contained(const std::string& shard) {
    if (shard.empty() || shard.find('\0') != std::string::npos) return false;
    const fs::path p(shard);
    if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) return false;
    for (const auto& part : p)
        if (part == "..") return false;
    return true;
}
}  // namespace

std::vector<std::string> component_weight_files(const std::string& dir, std::string* index_path) {
    std::vector<std::string> indexes;
    std::vector<std::string> files;
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) throw ModelLoadError("cannot list the folder: " + ec.message(), dir);
    for (; it != end; it.increment(ec)) {
        if (ec) throw ModelLoadError("cannot list the folder: " + ec.message(), dir);
        const auto& entry = *it;
        std::error_code type_ec;
        if (!entry.is_regular_file(type_ec) && !entry.is_symlink(type_ec)) continue;
        const std::string name = entry.path().filename().string();
        if (name.size() > 23 && name.substr(name.size() - 23) == ".safetensors.index.json")
            indexes.push_back(entry.path().string());
        else if (name.size() > 12 && name.substr(name.size() - 12) == ".safetensors")
            files.push_back(entry.path().string());
    }
    if (ec) throw ModelLoadError("cannot list the folder: " + ec.message(), dir);
    std::sort(indexes.begin(), indexes.end());
    std::sort(files.begin(), files.end());
    if (indexes.empty()) return files;

    const std::string& index = indexes.front();
    if (index_path) *index_path = index;
    const auto json = read_json_file(index);
    if (!json.contains("weight_map") || !json["weight_map"].is_object())
        throw ModelLoadError("index has no 'weight_map' object", index);
    std::set<std::string> shards;
    for (auto it = json["weight_map"].begin(); it != json["weight_map"].end(); ++it) {
        if (!it->is_string()) throw ModelLoadError("weight_map entry is not a file name", index, it.key());
        const std::string shard = it->get<std::string>();
        if (!shard_name_is_contained(shard))
            throw ModelLoadError("shard '" + shard + "' named by the index lies outside the component folder", index,
                                 it.key());
        shards.insert(shard);
    }
    if (shards.empty()) throw ModelLoadError("index names no shard files (empty 'weight_map')", index);
    std::vector<std::string> out;
    for (const auto& shard : shards) {
        const fs::path p = fs::path(dir) / shard;
        std::error_code exists_ec;
        if (!fs::is_regular_file(p, exists_ec))
            throw ModelLoadError("shard '" + shard + "' named by the index is missing (looked for " + p.string() + ")",
                                 index);
        out.push_back(p.string());
    }
    return out;
}

namespace {
std::string existing(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec) ? p.string() : std::string();
}

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

std::optional<ComponentFiles> probe(ComponentKind kind, const fs::path& dir, const fs::path& tokenizer_dir) {
    if (!is_dir(dir)) return std::nullopt;
    ComponentFiles c;
    c.kind = kind;
    c.dir = dir.string();
    c.config_path = existing(dir / "config.json");
    c.weight_files = component_weight_files(c.dir, &c.index_path);
    if (!tokenizer_dir.empty() && is_dir(tokenizer_dir)) {
        c.tokenizer_dir = tokenizer_dir.string();
        c.tokenizer_model = existing(tokenizer_dir / "tokenizer.model");
        if (c.tokenizer_model.empty()) c.tokenizer_model = existing(tokenizer_dir / "spiece.model");
        if (c.tokenizer_model.empty()) c.tokenizer_model = existing(tokenizer_dir / "sentencepiece.bpe.model");
        c.tokenizer_json = existing(tokenizer_dir / "tokenizer.json");
    }
    return c;
}
}  // namespace

const std::optional<ComponentFiles>& ModelFolder::component(ComponentKind k) const {
    switch (k) {
        case ComponentKind::Transformer: return transformer;
        case ComponentKind::TextEncoder: return text_encoder;
        case ComponentKind::Clip: return clip;
        case ComponentKind::Vae: return vae;
    }
    return transformer;
}

const ComponentFiles& ModelFolder::require(ComponentKind k) const {
    const auto& c = component(k);
    if (!c) {
        std::string where = k == ComponentKind::Clip ? "clip_model/ or text_encoder_2/" : to_string(k) + "/";
        throw ModelLoadError("model folder has no " + to_string(k) + " component (looked for " + where + ")", root);
    }
    if (c->weight_files.empty()) throw ModelLoadError("no *.safetensors weight files in " + c->dir, c->dir);
    return *c;
}

ModelFolder discover_model_folder(const std::string& root_in) {
    std::error_code abs_ec;
    const fs::path root = fs::absolute(root_in, abs_ec);
    if (abs_ec || !is_dir(root)) throw ModelLoadError("model folder does not exist or is not a folder", root.string());
    ModelFolder f;
    f.root = root.string();
    const bool diffusers = is_dir(root / "text_encoder_2") || is_dir(root / "tokenizer");
    f.layout = diffusers ? FolderLayout::Diffusers : FolderLayout::Official;
    // model_index.json only carries hints here: an unreadable one is a warning, not a load failure.
    if (fs::is_regular_file(root / "model_index.json")) {
        try {
            const auto index = read_json_file((root / "model_index.json").string());
            const auto extra = index.find("_precision_studio");
            if (extra != index.end() && extra->is_object())
                f.compact_xml_prompts = json_value<std::string>(*extra, "prompt_layout", "") == "compact_xml";
        } catch (const StudioError& e) {
            f.warnings.push_back(std::string("model_index.json ignored: ") + e.what());
        }
    }

    f.transformer = probe(ComponentKind::Transformer, root / "transformer", {});
    f.vae = probe(ComponentKind::Vae, root / "vae", {});
    if (diffusers) {
        const fs::path tok1 = is_dir(root / "tokenizer") ? root / "tokenizer" : root / "text_encoder";
        const fs::path tok2 = is_dir(root / "tokenizer_2") ? root / "tokenizer_2" : root / "text_encoder_2";
        f.text_encoder = probe(ComponentKind::TextEncoder, root / "text_encoder", tok1);
        f.clip = probe(ComponentKind::Clip, root / "text_encoder_2", tok2);
    } else {
        f.text_encoder = probe(ComponentKind::TextEncoder, root / "text_encoder", root / "text_encoder");
        f.clip = probe(ComponentKind::Clip, root / "clip_model", root / "clip_model");
    }
    if (!f.transformer && !f.text_encoder && !f.clip && !f.vae)
        throw ModelLoadError("no NewBie components found (expected transformer/, text_encoder/, clip_model/ or "
                             "text_encoder_2/, vae/)",
                             root.string());
    for (ComponentKind k : {ComponentKind::Transformer, ComponentKind::TextEncoder, ComponentKind::Clip, ComponentKind::Vae}) {
        const auto& c = f.component(k);
        if (!c) f.warnings.push_back("missing component: " + to_string(k));
        else if (c->config_path.empty()) f.warnings.push_back(to_string(k) + ": no config.json in " + c->dir);
        if (c && (k == ComponentKind::TextEncoder || k == ComponentKind::Clip) && c->tokenizer_model.empty() &&
            c->tokenizer_json.empty())
            f.warnings.push_back(to_string(k) + ": no tokenizer.model or tokenizer.json");
    }
    return f;
}

}  // namespace studio
