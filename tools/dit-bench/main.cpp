// precision-dit-bench: time one Next-DiT sampling step (a classifier-free-guidance batch of 2) at
// the real NewBie shapes per precision, with the fast kernels and the plain reference path, and
// how far each output lies from the plain path and from fp32. Random weights are made on the
// device from a seed, so the same weights are compared and nothing is written to disk.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "KinetoProfile.h"
#include "studio/Errors.h"
#include "studio/Precision.h"
#include "studio/dit/NextDiT.h"

#if defined(STUDIO_HAVE_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

using namespace studio;
using Clock = std::chrono::steady_clock;

namespace {

struct Inputs {
    torch::Tensor x, cap, mask, clip;
};

void sync(const torch::Device& d) {
    if (d.is_cuda()) torch::cuda::synchronize();
}

void reset_peak(const torch::Device& d) {
#if defined(STUDIO_HAVE_CUDA)
    if (d.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(0);
#endif
}

int64_t peak_bytes(const torch::Device& d) {
#if defined(STUDIO_HAVE_CUDA)
    if (d.is_cuda()) return c10::cuda::CUDACachingAllocator::getDeviceStats(0).allocated_bytes[0].peak;
#endif
    return 0;
}

// The distributions random_dit_weights uses, drawn on the device.
NextDiT make_model(const DitConfig& c, const Numerics& nx, uint64_t seed) {
    torch::NoGradGuard no_grad;
    torch::manual_seed(seed);
    NextDiT m(c, nx);
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(nx.device);
    for (auto& item : m->named_parameters(true)) {
        const auto& name = item.key();
        const auto sizes = item.value().sizes();
        auto r = torch::randn(sizes, f32);
        if (sizes.size() == 2) r = r / std::sqrt(static_cast<double>(sizes[1]));
        else if (name.size() > 4 && name.compare(name.size() - 4, 4, "bias") == 0) r = r * 0.02;
        else r = r * 0.1 + 1.0;
        item.value().set_data(r.to(nx.storage()));
    }
    return m;
}

Inputs make_inputs(const DitConfig& c, int64_t height, int64_t width, const std::vector<int64_t>& cap_lens,
                   const torch::Device& dev, uint64_t seed) {
    torch::manual_seed(seed + 1);
    const int64_t B = static_cast<int64_t>(cap_lens.size());
    const int64_t L = *std::max_element(cap_lens.begin(), cap_lens.end());
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(dev);
    Inputs in;
    in.x = torch::randn({B, c.in_channels, height / 8, width / 8}, f32);
    in.cap = torch::randn({B, L, c.cap_feat_dim}, f32);
    in.mask = torch::zeros({B, L}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
    for (int64_t b = 0; b < B; ++b) in.mask[b].narrow(0, 0, cap_lens[static_cast<size_t>(b)]).fill_(1);
    in.clip = torch::randn({B, c.clip_text_dim}, f32);
    return in;
}

torch::Tensor step(NextDiT& m, const Inputs& in) {
    c10::InferenceMode guard;
    return m->forward(in.x, torch::full({in.x.size(0)}, 0.5f), in.cap, in.mask, in.clip).to(torch::kFloat32);
}

double rel_error(const torch::Tensor& a, const torch::Tensor& ref) {
    return ((a - ref).norm() / ref.norm().clamp_min(1e-30)).item<double>();
}

std::string sci(double v) {
    std::ostringstream o;
    o << std::scientific << std::setprecision(2) << v;
    return o.str();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

std::string sdpa_choice(const DitConfig& c, const Numerics& nx, int64_t rows) {
#if defined(STUDIO_HAVE_SDPA) && defined(STUDIO_HAVE_CUDA)
    if (!nx.device.is_cuda()) return "n/a (CPU)";
    const auto o = nx.options();
    const int64_t K = c.n_kv_heads, D = c.head_dim();
    const auto q = torch::empty({1, K, c.n_rep() * rows, D}, o), k = torch::empty({1, K, rows, D}, o);
    switch (at::_fused_sdp_choice(q, k, k)) {
        case 0: return "math";
        case 1: return "flash";
        case 2: return "memory-efficient";
        case 3: return "cuDNN";
        default: return "other";
    }
#else
    (void)c; (void)nx; (void)rows;
    return "manual (no fused SDPA in this libtorch)";
#endif
}

void set_sdpa(const std::string& which) {
#if defined(STUDIO_HAVE_SDPA)
    if (which == "auto") return;
    auto& ctx = at::globalContext();
    ctx.setSDPUseFlash(which == "flash");
    ctx.setSDPUseMemEfficient(which == "efficient");
    ctx.setSDPUseCuDNN(which == "cudnn");
    ctx.setSDPUseMath(true);
#else
    if (which != "auto") throw ConfigError("--sdpa needs libtorch 2.x");
#endif
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Time one Next-DiT CFG step at the real NewBie shapes"};
    std::string size = "1024x1024", device = "cuda", kernels = "all", sdpa = "auto", profile, json_out, preset = "full";
    std::vector<std::string> precisions{"bf16", "fp16", "tf32", "fp32"};
    std::vector<int64_t> cap_lens{300, 100};
    int runs = 10, warmup = 2;
    app.add_option("--size", size, "WxH of the image");
    app.add_option("--device", device, "cuda or cpu");
    app.add_option("--precisions", precisions, "Precisions to time")->delimiter(';');
    app.add_option("--kernels", kernels, "plain, fast, graph (fast + CUDA graph) or all")->check(CLI::IsMember({"plain", "fast", "graph", "all"}));
    app.add_option("--sdpa", sdpa, "auto, flash, efficient, cudnn or math")->check(CLI::IsMember({"auto", "flash", "efficient", "cudnn", "math"}));
    app.add_option("--cap-lens", cap_lens, "Caption lengths of the batch (cond, uncond)")->delimiter(',');
    app.add_option("--runs", runs, "Timed steps per configuration");
    app.add_option("--warmup", warmup, "Untimed steps first");
    app.add_option("--preset", preset, "full (NewBie shapes) or tiny")->check(CLI::IsMember({"full", "tiny"}));
    app.add_option("--profile", profile, "Write a Kineto trace of two bf16 fast steps to this file");
    app.add_option("--json", json_out, "Write the rows as JSON");
    CLI11_PARSE(app, argc, argv);
    try {
        const torch::Device dev = device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
        if (dev.is_cuda() && !torch::cuda::is_available()) throw ConfigError("CUDA is not available");
        DitConfig c;
        if (preset == "tiny") {
            c.dim = 64; c.n_layers = 2; c.n_heads = 4; c.n_kv_heads = 2; c.cap_feat_dim = 32; c.clip_text_dim = 16;
            c.axes_dims = {8, 4, 4};
        }
        const auto x = size.find('x');
        const int64_t W = std::stoll(size.substr(0, x)), H = std::stoll(size.substr(x + 1));
        const auto in = make_inputs(c, H, W, cap_lens, dev, 7);
        set_sdpa(sdpa);
        const int64_t rows = *std::max_element(cap_lens.begin(), cap_lens.end()) + (H / 16) * (W / 16);

        // fp32 first: it is the reference the other rows are measured against.
        std::stable_partition(precisions.begin(), precisions.end(), [](const std::string& s) { return s == "fp32"; });
        torch::Tensor fp32_ref;
        nlohmann::json out = nlohmann::json::array();
        std::cout << "| precision | kernels | SDPA | step (ms, median of " << runs << ") | min | peak allocated (MiB) | rel. err vs plain | rel. err vs fp32 |\n"
                  << "|---|---|---|---|---|---|---|---|\n";
        for (const auto& ps : precisions) {
            const auto parsed = parse_precision(ps);
            if (!parsed) throw ConfigError("unknown precision '" + ps + "'");
            const Precision p = *parsed;
            torch::Tensor plain_out;
            for (const std::string mode : {"plain", "fast", "graph"}) {
                if (kernels != "all" && kernels != mode) continue;
                Numerics nx = Numerics::make(p, dev, NumericsMode::Native);
                if (mode == "plain") nx.fast_kernels = false;
                if (mode != "plain" && !nx.fast_kernels) {
                    std::cout << "| " << ps << " | " << mode << " | – | not available in this libtorch / device | | | | |\n";
                    continue;
                }
                reset_peak(dev);
                auto m = make_model(c, nx, 42);
                m->set_cuda_graphs(mode == "graph");
                for (int i = 0; i < warmup; ++i) step(m, in);
                sync(dev);
                std::vector<double> times;
                torch::Tensor y;
                for (int i = 0; i < runs; ++i) {
                    const auto t0 = Clock::now();
                    y = step(m, in);
                    sync(dev);
                    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
                }
                if (!profile.empty() && p == Precision::BF16 && mode == "fast") {  // kernel by kernel: the trace names each
                    if (profile_start()) {
                        step(m, in), step(m, in);
                        sync(dev);
                        profile_stop(profile);
                    } else {
                        std::cerr << "this build cannot write a Kineto trace\n";
                    }
                }
                if (mode == "plain") plain_out = y;
                if (p == Precision::FP32 && mode == "plain") fp32_ref = y;
                const double med = median(times), mn = *std::min_element(times.begin(), times.end());
                const double err_plain = plain_out.defined() && mode != "plain" ? rel_error(y, plain_out) : 0.0;
                const std::string label = mode == "graph" && !m->cuda_graph_used() ? "graph (capture failed: eager)" : mode;
                const double err_fp32 = fp32_ref.defined() ? rel_error(y, fp32_ref) : -1.0;
                const auto backend = sdpa_choice(c, nx, rows);
                std::ostringstream row;
                row << std::fixed << std::setprecision(1) << "| " << ps << " | " << label << " | " << backend << " | " << med * 1e3
                    << " | " << mn * 1e3 << " | " << peak_bytes(dev) / (1 << 20) << " | " << std::scientific << std::setprecision(2)
                    << err_plain << " | " << (err_fp32 < 0 ? std::string("(no fp32 row)") : sci(err_fp32)) << " |";
                std::cout << row.str() << std::endl;
                out.push_back({{"precision", ps}, {"kernels", label}, {"sdpa", backend}, {"step_ms_median", med * 1e3},
                               {"step_ms_min", mn * 1e3}, {"peak_allocated_bytes", peak_bytes(dev)},
                               {"rel_err_vs_plain", err_plain}, {"rel_err_vs_fp32", err_fp32}, {"times_s", times}});
            }
        }
        if (!json_out.empty()) std::ofstream(json_out) << out.dump(2) << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "precision-dit-bench: " << e.what() << "\n";
        return 1;
    }
}
