#include "studio/dit/DitConfig.h"

#include <numeric>
#include <sstream>

#include "studio/Errors.h"
#include "studio/Json.h"

namespace studio {
namespace {

std::vector<int64_t> int_list(const nlohmann::json& j, const std::string& key, const std::vector<int64_t>& fallback) {
    return json_value<std::vector<int64_t>>(j, key, fallback);
}

bool is_diffusers_format(const nlohmann::json& j) {
    const auto cls = json_value<std::string>(j, "_class_name", "");
    return j.contains("hidden_size") || cls.find("Lumina2") != std::string::npos;
}

}  // namespace

int64_t DitConfig::ffn_hidden() const {
    int64_t hidden = 4 * dim;
    if (ffn_dim_multiplier) hidden = static_cast<int64_t>(*ffn_dim_multiplier * static_cast<double>(hidden));
    return multiple_of * ((hidden + multiple_of - 1) / multiple_of);
}

int64_t DitConfig::parameter_count() const {
    const int64_t hd = head_dim(), a = adaln_dim(), f = ffn_hidden();
    const int64_t attention = dim * (n_heads + 2 * n_kv_heads) * hd + n_heads * hd * dim + (qk_norm ? 2 * hd : 0);
    const int64_t plain_block = attention + 3 * dim * f + 4 * dim;
    const int64_t modulated_block = plain_block + a * 4 * dim + 4 * dim;
    const int64_t embedders = patch_dim() * dim + dim                      // x_embedder
                              + 256 * a + a + a * a + a                    // t_embedder
                              + cap_feat_dim + cap_feat_dim * dim + dim    // cap_embedder
                              + clip_text_dim + clip_text_dim * clip_text_dim + clip_text_dim  // clip proj
                              + (a + clip_text_dim) * a + a;               // time_text_embed
    const int64_t final_layer = a * dim + dim + dim * patch_dim() + patch_dim();
    return embedders + final_layer + n_refiner_layers * (plain_block + modulated_block) + n_layers * modulated_block;
}

void DitConfig::validate() const {
    auto fail = [](const std::string& m) { throw ConfigError("transformer config: " + m); };
    if (dim <= 0 || n_layers < 0 || n_refiner_layers < 0 || patch_size <= 0 || in_channels <= 0 || cap_feat_dim <= 0 ||
        clip_text_dim <= 0 || multiple_of <= 0)
        fail("sizes must be positive");
    if (n_heads <= 0 || dim % n_heads != 0) fail("dim " + std::to_string(dim) + " is not divisible by n_heads");
    if (n_kv_heads <= 0 || n_heads % n_kv_heads != 0) fail("n_heads is not a multiple of n_kv_heads");
    if (axes_dims.size() != 3 || axes_lens.size() != 3) fail("RoPE needs 3 axes (axes_dims, axes_lens)");
    for (auto d : axes_dims)
        if (d <= 0 || d % 2 != 0) fail("every RoPE axis dimension must be even and positive");
    if (std::accumulate(axes_dims.begin(), axes_dims.end(), int64_t{0}) != head_dim())
        fail("sum of axes_dims must equal head_dim " + std::to_string(head_dim()));
    if (!(norm_eps > 0) || !(qk_norm_eps > 0) || !(rope_theta > 0)) fail("eps and rope_theta must be positive");
}

DitConfig DitConfig::from_json(const nlohmann::json& j, std::optional<int64_t> cap_feat_dim) {
    if (!j.is_object()) throw ConfigError("transformer config is not a JSON object");
    DitConfig c;
    c.diffusers_naming = is_diffusers_format(j);
    auto required = [&](const char* key) {
        if (!j.contains(key) || j[key].is_null()) throw ConfigError(std::string("transformer config lacks '") + key + "'");
        return json_value<int64_t>(j, key, 0);
    };
    if (c.diffusers_naming) {
        c.dim = required("hidden_size");
        c.n_layers = required("num_layers");
        c.n_heads = required("num_attention_heads");
        c.n_refiner_layers = json_value<int64_t>(j, "num_refiner_layers", 2);
        c.n_kv_heads = json_value<int64_t>(j, "num_kv_heads", c.n_heads);
        c.clip_text_dim = json_value<int64_t>(j, "pooled_projection_dim", 1024);
        c.axes_dims = int_list(j, "axes_dim_rope", c.axes_dims);
        const auto out = json_value<int64_t>(j, "out_channels", 0);
        c.in_channels = json_value<int64_t>(j, "in_channels", 16);
        if (out != 0 && out != c.in_channels) throw ConfigError("out_channels must equal in_channels");
    } else {
        c.dim = required("dim");
        c.n_layers = required("n_layers");
        c.n_heads = required("n_heads");
        c.n_refiner_layers = json_value<int64_t>(j, "n_refiner_layers", 2);
        c.n_kv_heads = json_value<int64_t>(j, "n_kv_heads", c.n_heads);
        c.clip_text_dim = json_value<int64_t>(j, "clip_text_dim", 1024);
        c.axes_dims = int_list(j, "axes_dims", c.axes_dims);
        c.in_channels = json_value<int64_t>(j, "in_channels", 16);
        c.qk_norm = json_value<bool>(j, "qk_norm", true);
    }
    c.patch_size = json_value<int64_t>(j, "patch_size", 2);
    c.axes_lens = int_list(j, "axes_lens", c.axes_lens);
    c.multiple_of = json_value<int64_t>(j, "multiple_of", 256);
    if (j.contains("ffn_dim_multiplier") && !j["ffn_dim_multiplier"].is_null())
        c.ffn_dim_multiplier = json_value<double>(j, "ffn_dim_multiplier", 1.0);
    c.norm_eps = json_value<double>(j, "norm_eps", 1e-5);
    c.qk_norm_eps = json_value<double>(j, "qk_norm_eps", 1e-6);
    c.rope_theta = json_value<double>(j, "rope_theta", 10000.0);
    if (j.contains("cap_feat_dim") && !j["cap_feat_dim"].is_null()) c.cap_feat_dim = json_value<int64_t>(j, "cap_feat_dim", 0);
    else if (cap_feat_dim) c.cap_feat_dim = *cap_feat_dim;
    c.validate();
    return c;
}

DitConfig DitConfig::from_json_file(const std::string& path, std::optional<int64_t> cap_feat_dim) {
    const auto j = read_json_file(path);
    try {
        return from_json(j, cap_feat_dim);
    } catch (const ConfigError& e) {
        throw ModelLoadError(e.what(), path);
    }
}

nlohmann::json DitConfig::to_json() const {
    nlohmann::json j;
    j["_class_name"] = "NextDiT_CLIP";
    j["model_type"] = "nextdit_clip";
    j["patch_size"] = patch_size;
    j["dim"] = dim;
    j["n_layers"] = n_layers;
    j["n_refiner_layers"] = n_refiner_layers;
    j["n_heads"] = n_heads;
    j["n_kv_heads"] = n_kv_heads;
    j["in_channels"] = in_channels;
    j["axes_dims"] = axes_dims;
    j["axes_lens"] = axes_lens;
    j["clip_text_dim"] = clip_text_dim;
    j["clip_img_dim"] = clip_text_dim;
    j["cap_feat_dim"] = cap_feat_dim;
    j["multiple_of"] = multiple_of;
    j["ffn_dim_multiplier"] = ffn_dim_multiplier ? nlohmann::json(*ffn_dim_multiplier) : nlohmann::json(nullptr);
    j["norm_eps"] = norm_eps;
    j["qk_norm"] = qk_norm;
    j["qk_norm_eps"] = qk_norm_eps;
    j["rope_theta"] = rope_theta;
    return j;
}

std::string DitConfig::to_string() const {
    std::ostringstream s;
    s << "dim " << dim << ", layers " << n_layers << " + " << n_refiner_layers << "x2 refiners, heads " << n_heads << "/"
      << n_kv_heads << " (head_dim " << head_dim() << "), ffn " << ffn_hidden() << ", patch " << patch_size << ", in "
      << in_channels << ", cap " << cap_feat_dim << ", clip " << clip_text_dim << ", ";
    const double n = static_cast<double>(parameter_count());
    if (n >= 1e9) s << n / 1e9 << " B params";
    else if (n >= 1e6) s << n / 1e6 << " M params";
    else s << parameter_count() << " params";
    return s.str();
}

}  // namespace studio
