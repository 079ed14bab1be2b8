// Weight naming (diffusers -> BFL ae.safetensors) and random initialisation.
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <sstream>

#include "studio/vae/Vae.h"

namespace studio {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, sep)) out.push_back(part);
    return out;
}

bool parse_index(const std::string& s, int64_t& out) {
    if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoll(s);
    return true;
}

}  // namespace

std::string vae_bfl_key(const std::string& key, int64_t blocks) {
    const auto t = split(key, '.');
    if (t.empty()) return {};
    if (t[0] == "quant_conv" || t[0] == "post_quant_conv") return key;
    if (t.size() < 3 || (t[0] != "decoder" && t[0] != "encoder")) return {};

    std::vector<std::string> out{t[0]};
    size_t rest = 0;  // index of the first token copied through (with resnet renames)
    const std::string& m = t[1];
    int64_t idx = 0;
    if (m == "conv_in" || m == "conv_out") {
        out.push_back(m);
        rest = 2;
    } else if (m == "conv_norm_out") {
        out.push_back("norm_out");
        rest = 2;
    } else if (m == "mid_block" && t.size() >= 5 && t[2] == "resnets" && parse_index(t[3], idx) && idx < 2) {
        out.insert(out.end(), {"mid", idx == 0 ? "block_1" : "block_2"});
        rest = 4;
    } else if (m == "mid_block" && t.size() >= 6 && t[2] == "attentions" && t[3] == "0") {
        out.insert(out.end(), {"mid", "attn_1"});
        const std::string& p = t[4];
        if (p == "group_norm") out.push_back("norm");
        else if (p == "to_q") out.push_back("q");
        else if (p == "to_k") out.push_back("k");
        else if (p == "to_v") out.push_back("v");
        else if (p == "to_out" && t[5] == "0") out.push_back("proj_out");
        else return {};
        rest = p == "to_out" ? 6 : 5;
    } else if (m == "up_blocks" && t.size() >= 5 && parse_index(t[2], idx) && idx < blocks) {
        // BFL orders the decoder's levels by resolution: up.{N-1} runs first.
        out.insert(out.end(), {"up", std::to_string(blocks - 1 - idx)});
        if (t[3] == "resnets") {
            out.insert(out.end(), {"block", t[4]});
            rest = 5;
        } else if (t[3] == "upsamplers" && t[4] == "0") {
            out.push_back("upsample");
            rest = 5;
        } else {
            return {};
        }
    } else if (m == "down_blocks" && t.size() >= 5 && parse_index(t[2], idx) && idx < blocks) {
        out.insert(out.end(), {"down", t[2]});
        if (t[3] == "resnets") {
            out.insert(out.end(), {"block", t[4]});
            rest = 5;
        } else if (t[3] == "downsamplers" && t[4] == "0") {
            out.push_back("downsample");
            rest = 5;
        } else {
            return {};
        }
    } else {
        return {};
    }
    if (rest >= t.size()) return {};
    for (size_t i = rest; i < t.size(); ++i) out.push_back(t[i] == "conv_shortcut" ? "nin_shortcut" : t[i]);

    std::string joined;
    for (size_t i = 0; i < out.size(); ++i) joined += (i ? "." : "") + out[i];
    return joined;
}

std::vector<std::pair<std::string, torch::Tensor>> random_vae_weights(const VaeConfig& c, uint64_t seed) {
    c.validate();
    torch::NoGradGuard no_grad;
    auto gen = at::detail::createCPUGenerator(seed);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& [name, shape] : vae_parameter_shapes(c)) {
        const bool is_bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        const bool is_norm = name.find("norm") != std::string::npos;  // norm1/2, group_norm, conv_norm_out
        torch::Tensor t;
        if (is_norm && !is_bias) {
            t = 1.0 + 0.1 * torch::randn(shape, gen, opts);
        } else if (is_bias) {
            t = 0.02 * torch::randn(shape, gen, opts);
        } else {
            int64_t fan_in = 1;
            for (size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
            t = torch::randn(shape, gen, opts) / std::sqrt(static_cast<double>(fan_in));
        }
        out.emplace_back(name, t.contiguous());
    }
    return out;
}

}  // namespace studio
