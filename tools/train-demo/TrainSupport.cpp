#include "TrainSupport.h"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "studio/Errors.h"
#include "studio/Json.h"
#include "studio/SafeTensors.h"
#include "studio/WeightStore.h"

namespace fs = std::filesystem;

namespace studio::demo {

NamedTensors named_parameters(torch::nn::Module& module, const std::string& prefix) {
    NamedTensors out;
    for (auto& item : module.named_parameters(true)) out.emplace_back(prefix + item.key(), item.value());
    return out;
}

AdamW::AdamW(NamedTensors params, double weight_decay, double beta1, double beta2, double eps)
    : m_params(std::move(params)), m_wd(weight_decay), m_b1(beta1), m_b2(beta2), m_eps(eps) {
    for (auto& [name, p] : m_params) {
        p.requires_grad_(true);
        m_m.push_back(torch::zeros_like(p));
        m_v.push_back(torch::zeros_like(p));
        // Matrices decay; norms, biases and embeddings' 1-d companions do not.
        m_decay.push_back(p.dim() >= 2);
    }
}

torch::Tensor AdamW::clip_grad_norm(double max_norm) {
    std::vector<torch::Tensor> norms;
    for (auto& [name, p] : m_params)
        if (p.grad().defined()) norms.push_back(p.grad().pow(2).sum());
    if (norms.empty()) return torch::zeros({});
    const auto total = torch::stack(norms).sum().sqrt();
    const auto coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& [name, p] : m_params)
        if (p.grad().defined()) p.grad().mul_(coef);
    return total;
}

void AdamW::step(double lr) {
    torch::NoGradGuard no_grad;
    ++m_steps;
    const double bc1 = 1.0 - std::pow(m_b1, static_cast<double>(m_steps));
    const double bc2 = 1.0 - std::pow(m_b2, static_cast<double>(m_steps));
    for (size_t i = 0; i < m_params.size(); ++i) {
        auto& p = m_params[i].second;
        const auto& g = p.grad();
        if (!g.defined()) continue;
        m_m[i].mul_(m_b1).add_(g, 1.0 - m_b1);
        m_v[i].mul_(m_b2).addcmul_(g, g, 1.0 - m_b2);
        if (m_decay[i] && m_wd > 0) p.mul_(1.0 - lr * m_wd);
        const auto denom = (m_v[i] / bc2).sqrt_().add_(m_eps);
        p.addcdiv_(m_m[i], denom, -lr / bc1);
    }
}

void AdamW::zero_grad() {
    for (auto& [name, p] : m_params)
        if (p.grad().defined()) p.grad().zero_();
}

NamedTensors AdamW::state() const {
    NamedTensors out;
    for (size_t i = 0; i < m_params.size(); ++i) {
        out.emplace_back("m." + m_params[i].first, m_m[i]);
        out.emplace_back("v." + m_params[i].first, m_v[i]);
    }
    return out;
}

void AdamW::load_state(const std::map<std::string, torch::Tensor>& state, int64_t steps) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto m = state.find("m." + m_params[i].first), v = state.find("v." + m_params[i].first);
        if (m == state.end() || v == state.end() || m->second.sizes() != m_m[i].sizes()) return;  // keep fresh moments
        m_m[i].copy_(m->second);
        m_v[i].copy_(v->second);
    }
    m_steps = steps;
}

void save_tensors(const std::string& path, const NamedTensors& tensors) {
    std::vector<SafeTensorBlob> blobs;
    blobs.reserve(tensors.size());
    for (const auto& [name, t] : tensors) {
        const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        SafeTensorBlob b{name, StDType::F32, c.sizes().vec(), {}};
        b.bytes.resize(static_cast<size_t>(c.numel()) * sizeof(float));
        std::memcpy(b.bytes.data(), c.data_ptr<float>(), b.bytes.size());
        blobs.push_back(std::move(b));
    }
    const std::string tmp = path + ".tmp";
    write_safetensors(tmp, blobs, {{"format", "pt"}});
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw ExportError("cannot write '" + path + "': " + ec.message());
}

std::map<std::string, torch::Tensor> load_tensors(const std::string& path) {
    const auto store = WeightStore::open({path});
    std::map<std::string, torch::Tensor> out;
    for (const auto& key : store.keys()) out[key] = store.get(key).to(torch::kFloat32).clone();
    return out;
}

void assign_parameters(const NamedTensors& params, const std::map<std::string, torch::Tensor>& values,
                       const std::string& origin) {
    torch::NoGradGuard no_grad;
    for (const auto& [name, p] : params) {
        const auto it = values.find(name);
        if (it == values.end()) throw ModelLoadError("tensor missing from the checkpoint", origin, name);
        if (it->second.sizes() != p.sizes())
            throw ModelLoadError("checkpoint shape differs from the configured model", origin, name);
        p.copy_(it->second.to(p.device(), p.scalar_type()));
    }
}

nlohmann::json read_state(const std::string& path) {
    if (!fs::exists(path)) return nlohmann::json::object();
    return read_json_file(path);
}

void write_state(const std::string& path, const nlohmann::json& state) { write_json_file(path, state); }

double scheduled_lr(double base, int64_t step, int64_t warmup_steps, double progress, double decay_fraction,
                    double floor) {
    const double warm = warmup_steps > 0 ? std::min(1.0, static_cast<double>(step + 1) / warmup_steps) : 1.0;
    const double start = 1.0 - decay_fraction;
    double decay = 1.0;
    if (progress > start && decay_fraction > 0) {
        const double x = std::min(1.0, (progress - start) / decay_fraction);
        decay = floor + (1.0 - floor) * 0.5 * (1.0 + std::cos(M_PI * x));
    }
    return base * warm * decay;
}

CsvLog::CsvLog(const std::string& path, const std::vector<std::string>& columns) {
    const bool fresh = !fs::exists(path) || fs::file_size(path) == 0;
    m_out.open(path, std::ios::app);
    if (!m_out) throw ExportError("cannot write the loss log '" + path + "'");
    if (fresh) {
        for (size_t i = 0; i < columns.size(); ++i) m_out << (i ? "," : "") << columns[i];
        m_out << "\n";
    }
}

void CsvLog::row(const std::vector<double>& values) {
    for (size_t i = 0; i < values.size(); ++i) m_out << (i ? "," : "") << values[i];
    m_out << "\n";
    m_out.flush();
}

}  // namespace studio::demo
