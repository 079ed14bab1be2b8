#include "studio/vae/VaeConfig.h"

#include "studio/Errors.h"
#include "studio/Json.h"

namespace studio {

namespace {

void check_block_types(const nlohmann::json& j, const std::string& key, const std::string& expected, size_t count,
                       const std::string& origin) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_array()) throw ModelLoadError("config key '" + key + "' is not a list", origin);
    if (j[key].size() != count)
        throw ModelLoadError("config key '" + key + "' has " + std::to_string(j[key].size()) +
                                 " entries but block_out_channels has " + std::to_string(count),
                             origin);
    for (const auto& t : j[key])
        if (!t.is_string() || t.get<std::string>() != expected)
            throw ModelLoadError("unsupported VAE block type " + t.dump() + " in '" + key + "' (expected " + expected + ")",
                                 origin);
}

}  // namespace

VaeConfig VaeConfig::from_json_file(const std::string& path) { return from_json(read_json_file(path), path); }

VaeConfig VaeConfig::from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw ModelLoadError("VAE config is not a JSON object", origin);
    const auto cls = json_value<std::string>(j, "_class_name", "AutoencoderKL");
    if (cls != "AutoencoderKL") throw ModelLoadError("VAE config describes '" + cls + "', not an AutoencoderKL", origin);

    VaeConfig c;
    try {
        c.in_channels = json_value<int64_t>(j, "in_channels", 3);
        c.out_channels = json_value<int64_t>(j, "out_channels", 3);
        c.latent_channels = json_value<int64_t>(j, "latent_channels", 4);
        c.layers_per_block = json_value<int64_t>(j, "layers_per_block", 1);
        c.norm_num_groups = json_value<int64_t>(j, "norm_num_groups", 32);
        c.block_out_channels = json_value<std::vector<int64_t>>(j, "block_out_channels", {64});
        c.mid_block_add_attention = json_value<bool>(j, "mid_block_add_attention", true);
        // diffusers builds both quant convs unless the config says otherwise.
        c.use_quant_conv = json_value<bool>(j, "use_quant_conv", true);
        c.use_post_quant_conv = json_value<bool>(j, "use_post_quant_conv", true);
        c.scaling_factor = json_value<double>(j, "scaling_factor", 0.18215);
        c.shift_factor = json_value<double>(j, "shift_factor", 0.0);  // null = no shift
        const auto act = json_value<std::string>(j, "act_fn", "silu");
        if (act != "silu") throw ModelLoadError("unsupported VAE activation '" + act + "' (only silu)", origin);
    } catch (const ConfigError& e) {
        throw ModelLoadError(e.what(), origin);
    }
    if (j.contains("latents_mean") && !j["latents_mean"].is_null())
        throw ModelLoadError("VAE configs with latents_mean/latents_std are not supported", origin);
    check_block_types(j, "down_block_types", "DownEncoderBlock2D", c.block_out_channels.size(), origin);
    check_block_types(j, "up_block_types", "UpDecoderBlock2D", c.block_out_channels.size(), origin);
    c.validate(origin);
    return c;
}

void VaeConfig::validate(const std::string& origin) const {
    auto positive = [&](int64_t v, const char* name) {
        if (v <= 0) throw ModelLoadError(std::string("VAE config value '") + name + "' must be positive", origin);
    };
    positive(in_channels, "in_channels");
    positive(out_channels, "out_channels");
    positive(latent_channels, "latent_channels");
    positive(layers_per_block, "layers_per_block");
    positive(norm_num_groups, "norm_num_groups");
    if (block_out_channels.empty() || block_out_channels.size() > 8)
        throw ModelLoadError("VAE config 'block_out_channels' must have 1 to 8 entries", origin);
    for (int64_t ch : block_out_channels) {
        positive(ch, "block_out_channels");
        if (ch % norm_num_groups != 0)
            throw ModelLoadError("VAE block width " + std::to_string(ch) + " is not divisible by norm_num_groups " +
                                     std::to_string(norm_num_groups),
                                 origin);
    }
    if (!(scaling_factor > 0.0)) throw ModelLoadError("VAE config 'scaling_factor' must be positive", origin);
}

nlohmann::json VaeConfig::to_json() const {
    const size_t n = block_out_channels.size();
    return nlohmann::json{
        {"_class_name", "AutoencoderKL"},
        {"act_fn", "silu"},
        {"in_channels", in_channels},
        {"out_channels", out_channels},
        {"latent_channels", latent_channels},
        {"layers_per_block", layers_per_block},
        {"norm_num_groups", norm_num_groups},
        {"block_out_channels", block_out_channels},
        {"down_block_types", std::vector<std::string>(n, "DownEncoderBlock2D")},
        {"up_block_types", std::vector<std::string>(n, "UpDecoderBlock2D")},
        {"mid_block_add_attention", mid_block_add_attention},
        {"use_quant_conv", use_quant_conv},
        {"use_post_quant_conv", use_post_quant_conv},
        {"scaling_factor", scaling_factor},
        {"shift_factor", shift_factor},
        {"force_upcast", true},
        {"latents_mean", nullptr},
        {"latents_std", nullptr},
    };
}

int64_t VaeConfig::downscale() const { return int64_t{1} << (block_out_channels.size() - 1); }

int64_t VaeConfig::parameter_count() const {
    int64_t total = 0;
    for (const auto& [name, shape] : vae_parameter_shapes(*this)) {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        total += n;
    }
    return total;
}

namespace {

using Shapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

void add_conv(Shapes& s, const std::string& name, int64_t in, int64_t out, int64_t k) {
    s.push_back({name + ".weight", {out, in, k, k}});
    s.push_back({name + ".bias", {out}});
}
void add_norm(Shapes& s, const std::string& name, int64_t ch) {
    s.push_back({name + ".weight", {ch}});
    s.push_back({name + ".bias", {ch}});
}
void add_linear(Shapes& s, const std::string& name, int64_t ch) {
    s.push_back({name + ".weight", {ch, ch}});
    s.push_back({name + ".bias", {ch}});
}
void add_resnet(Shapes& s, const std::string& name, int64_t in, int64_t out) {
    add_norm(s, name + ".norm1", in);
    add_conv(s, name + ".conv1", in, out, 3);
    add_norm(s, name + ".norm2", out);
    add_conv(s, name + ".conv2", out, out, 3);
    if (in != out) add_conv(s, name + ".conv_shortcut", in, out, 1);
}
void add_mid(Shapes& s, const std::string& name, int64_t ch, bool attention) {
    add_resnet(s, name + ".resnets.0", ch, ch);
    if (attention) {
        const std::string a = name + ".attentions.0";
        add_norm(s, a + ".group_norm", ch);
        add_linear(s, a + ".to_q", ch);
        add_linear(s, a + ".to_k", ch);
        add_linear(s, a + ".to_v", ch);
        add_linear(s, a + ".to_out.0", ch);
    }
    add_resnet(s, name + ".resnets.1", ch, ch);
}

}  // namespace

std::vector<std::pair<std::string, std::vector<int64_t>>> vae_parameter_shapes(const VaeConfig& c) {
    Shapes s;
    const auto& ch = c.block_out_channels;
    const size_t n = ch.size();

    // Decoder: widest block first.
    add_conv(s, "decoder.conv_in", c.latent_channels, ch.back(), 3);
    add_mid(s, "decoder.mid_block", ch.back(), c.mid_block_add_attention);
    int64_t prev = ch.back();
    for (size_t i = 0; i < n; ++i) {
        const int64_t out = ch[n - 1 - i];
        const std::string b = "decoder.up_blocks." + std::to_string(i);
        for (int64_t j = 0; j < c.layers_per_block + 1; ++j)
            add_resnet(s, b + ".resnets." + std::to_string(j), j == 0 ? prev : out, out);
        if (i + 1 < n) add_conv(s, b + ".upsamplers.0.conv", out, out, 3);
        prev = out;
    }
    add_norm(s, "decoder.conv_norm_out", ch.front());
    add_conv(s, "decoder.conv_out", ch.front(), c.out_channels, 3);

    // Encoder: narrowest block first; conv_out gives mean and logvar.
    add_conv(s, "encoder.conv_in", c.in_channels, ch.front(), 3);
    prev = ch.front();
    for (size_t i = 0; i < n; ++i) {
        const std::string b = "encoder.down_blocks." + std::to_string(i);
        for (int64_t j = 0; j < c.layers_per_block; ++j)
            add_resnet(s, b + ".resnets." + std::to_string(j), j == 0 ? prev : ch[i], ch[i]);
        if (i + 1 < n) add_conv(s, b + ".downsamplers.0.conv", ch[i], ch[i], 3);
        prev = ch[i];
    }
    add_mid(s, "encoder.mid_block", ch.back(), c.mid_block_add_attention);
    add_norm(s, "encoder.conv_norm_out", ch.back());
    add_conv(s, "encoder.conv_out", ch.back(), 2 * c.latent_channels, 3);

    if (c.use_quant_conv) add_conv(s, "quant_conv", 2 * c.latent_channels, 2 * c.latent_channels, 1);
    if (c.use_post_quant_conv) add_conv(s, "post_quant_conv", c.latent_channels, c.latent_channels, 1);
    return s;
}

}  // namespace studio
