#include "Findings.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "RunAudit.h"
#if defined(STUDIO_HAVE_CUDA)
#include <ATen/cuda/CUDAContext.h>
#endif

namespace studio {

namespace {

Finding make(Severity s, const char* code, const std::string& module, const std::string& layer, int step,
             const std::string& message) {
    return Finding{s, code, module, layer, step, message};
}

std::string pct(double f) {
    std::ostringstream o;
    o.precision(3);
    o << f * 100 << " %";
    return o.str();
}

// Sites whose values come out of arithmetic in the module's own precision (an embedding or a
// norm of bf16-stored weights may legitimately carry fewer bits).
bool arithmetic_site(const std::string& kind) {
    return kind == "linear" || kind == "attention" || kind == "block" || kind == "module" || kind == "conv";
}

void per_layer_findings(RunReport& r, const AuditFacts& facts) {
    std::set<std::string> signature_done, dtype_done, overflow_done;
    for (const auto& l : r.layers) {
        const auto m = parse_module(l.module);
        if (!m || !facts.numerics.count(*m)) continue;
        const Numerics& nx = facts.numerics.at(*m);
        const Precision asked = r.params.precision.get(*m);
        const std::string want = dtype_name(nx.storage());
        const int step = -1;  // aggregated over the steps: the site, not a step
        const bool fp16_asked = asked == Precision::FP16 || asked == Precision::AutocastFP16;
        if (nx.autocast()) {  // dtypes vary per op by design: autocast_findings judges them
            if (l.max_abs > 0 && l.fp16_headroom_bits < 1.0 && overflow_done.insert(l.module).second)
                r.findings.push_back(make(fp16_asked ? Severity::Warning : Severity::Info, code::kFp16OverflowRisk, l.module,
                                          l.layer, step, "max |x| " + std::to_string(l.max_abs) + " at " + l.layer +
                                                             ": less than 1 bit of fp16 headroom"));
            continue;
        }
        // Precision signature: how many mantissa bits the values really use.
        std::string sig_msg;
        if (asked == Precision::FP16 && l.value_precision == "bf16")
            sig_msg = "fp16 requested, but " + pct(l.bf16_fraction) + " of the values use at most 7 mantissa bits: bf16 precision ran";
        else if (asked == Precision::BF16 && (l.value_precision == "fp32" || l.value_precision == "fp16/tf32"))
            sig_msg = "bf16 requested, but only " + pct(l.bf16_fraction) + " of the values fit 7 mantissa bits: " +
                      l.value_precision + " precision ran";
        else if ((asked == Precision::FP32 || asked == Precision::TF32) && l.value_precision == "bf16" && arithmetic_site(l.kind))
            sig_msg = to_string(asked) + " requested, but " + pct(l.bf16_fraction) + " of the values use at most 7 mantissa bits";
        if (!sig_msg.empty() && signature_done.insert(l.module).second)
            r.findings.push_back(make(Severity::Warning, code::kPrecisionSignature, l.module, l.layer, step,
                                      sig_msg + " (first site " + l.layer + ", " + std::to_string(l.elements) + " values)"));
        // Observed tensor dtype (natively the tensor's dtype; emulated, what its values fit).
        if (!l.output_dtype.empty() && l.output_dtype != want && l.nan + l.inf == 0 && dtype_done.insert(l.module).second)
            r.findings.push_back(make(Severity::Warning, code::kDtypeMismatch, l.module, l.layer, step,
                                      to_string(asked) + " requested, " + l.layer + " produced " + l.output_dtype + " values"));
        if (l.max_abs > 0 && l.fp16_headroom_bits < 1.0 && overflow_done.insert(l.module).second) {
            std::ostringstream o;
            o << "max |x| " << l.max_abs << " at " << l.layer << ": " << l.fp16_headroom_bits
              << " bits of fp16 headroom (" << l.beyond_fp16 << " values beyond 65504)";
            r.findings.push_back(make(fp16_asked ? Severity::Warning : Severity::Info, code::kFp16OverflowRisk,
                                      l.module, l.layer, step, o.str()));
        }
    }
}

// Under autocast each op picks its dtype: sites in the lowered dtype and sites kept in fp32 are
// both expected. Any third dtype is a mismatch; no lowered site at all (deep trace) means
// autocast never engaged.
void autocast_findings(RunReport& r, const AuditFacts& facts) {
    for (const auto& [m, nx] : facts.numerics) {
        const auto lowered = nx.autocast();
        if (!lowered) continue;
        const std::string low = dtype_name(*lowered), module = to_string(m), asked = to_string(nx.precision);
        int n_low = 0, n_fp32 = 0;
        const LayerStats *first_fp32 = nullptr, *other = nullptr;
        for (const auto& l : r.layers) {
            if (l.module != module || l.output_dtype.empty() || l.nan + l.inf > 0) continue;
            if (l.output_dtype == low) ++n_low;
            else if (l.output_dtype == "fp32") ++n_fp32, first_fp32 = first_fp32 ? first_fp32 : &l;
            else if (!other) other = &l;
        }
        if (other)
            r.findings.push_back(make(Severity::Warning, code::kDtypeMismatch, module, other->layer, -1,
                                      asked + " requested, " + other->layer + " produced " + other->output_dtype + " values"));
        if (r.audit_level == "deep" && n_low == 0 && n_fp32 > 0)
            r.findings.push_back(make(Severity::Warning, code::kDtypeMismatch, module, first_fp32->layer, -1,
                                      asked + " requested, but all " + std::to_string(n_fp32) +
                                          " traced sites produced fp32 values: autocast did not engage"));
        if (n_fp32 > 0)
            r.findings.push_back(make(Severity::Info, code::kAutocastKeptFp32, module, first_fp32->layer, -1,
                                      "autocast kept " + std::to_string(n_fp32) + " of " + std::to_string(n_fp32 + n_low) +
                                          " traced sites in fp32 (first " + first_fp32->layer + "); " +
                                          std::to_string(n_low) + " ran in " + low));
    }
}

void weight_findings(RunReport& r, const AuditFacts& facts) {
    for (const auto& [m, names] : facts.uncast_weights) {
        if (names.empty()) continue;
        const std::string want = dtype_name(facts.numerics.at(m).storage());
        std::string layer = names.front();
        const auto dot = layer.rfind('.');
        if (dot != std::string::npos) layer = layer.substr(0, dot);  // "layers.1.attention.qkv.weight" -> the layer
        r.findings.push_back(make(Severity::Warning, code::kWeightsNotCast, to_string(m), layer, -1,
                                  std::to_string(names.size()) + " parameter(s) not in " + want + ", first " + names.front()));
    }
}

void image_findings(RunReport& r) {
    if (r.decode_attempts.size() > 1) {
        const auto& first = r.decode_attempts.front();
        r.findings.push_back(make(Severity::Warning, code::kVaeFallbackUsed, "vae", "", -1,
                                  "the " + first.numerics + " decode " +
                                      (first.finite ? "failed its verdict (" + first.verdict + ")" : "was non-finite") +
                                      "; re-decoded in fp32: " + r.decode_attempts.back().verdict));
    }
    if (r.image_verdict == "ok" || r.decode_attempts.empty()) return;
    const bool failed = r.image_verdict == code::kImageBlack || r.image_verdict == code::kImageWhite ||
                        r.image_verdict == code::kImageFlat;
    r.findings.push_back(make(failed ? Severity::Error : Severity::Warning, r.image_verdict.c_str(), "", "", -1,
                              "final image: " + r.decode_attempts.back().detail));
}

// Stated from the machine, not guessed: CUDA capability, or the CPU's bf16 instruction flags.
void hardware_findings(RunReport& r, const AuditFacts& facts) {
    bool native_bf16 = false;
    torch::Device dev(torch::kCPU);
    for (const auto& [m, nx] : facts.numerics)
        if ((nx.storage() == torch::kBFloat16 && !nx.emulated) || nx.autocast() == torch::kBFloat16)
            native_bf16 = true, dev = nx.device;
    if (!native_bf16) return;
    if (dev.is_cuda()) {
#if defined(STUDIO_HAVE_CUDA)
        const auto* p = at::cuda::getCurrentDeviceProperties();
        if (p->major < 8)
            r.findings.push_back(make(Severity::Warning, code::kNoNativeBf16, "", "", -1,
                                      std::string(p->name) + " has CUDA capability " + std::to_string(p->major) + "." +
                                          std::to_string(p->minor) + " (< 8.0): no native bf16 tensor cores"));
#endif
        return;
    }
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    bool found_flags = false, has = false;
    while (std::getline(in, line))
        if (line.rfind("flags", 0) == 0) {
            found_flags = true;
            has = line.find(" avx512_bf16") != std::string::npos || line.find(" amx_bf16") != std::string::npos;
            break;
        }
    if (found_flags && !has)
        r.findings.push_back(make(Severity::Info, code::kNoNativeBf16, "", "", -1,
                                  "this CPU has neither avx512_bf16 nor amx_bf16 (/proc/cpuinfo): libtorch's native bf16 "
                                  "kernels convert through fp32 and run slower"));
}

void runtime_findings(RunReport& r, const RunTrace& trace) {
    for (const auto& [m, f] : trace.tf32())
        r.findings.push_back(make(Severity::Info, code::kTf32State, to_string(m), "", -1,
                                  std::string("while it ran: cuBLAS TF32 ") + (f.cublas ? "on" : "off") + ", cuDNN TF32 " +
                                      (f.cudnn ? "on" : "off")));
    for (const auto& [key, value] : trace.notes()) {
        const auto bar = key.find('|');
        if (key.substr(bar + 1) == code::kAttentionBackend)
            r.findings.push_back(make(Severity::Info, code::kAttentionBackend, key.substr(0, bar), "", -1,
                                      "scaled_dot_product_attention selected: " + value));
    }
}

}  // namespace

std::vector<std::string> uncast_parameters(torch::nn::Module& module, const Numerics& nx) {
    std::vector<std::string> out;
    for (const auto& item : module.named_parameters(true)) {
        const auto& p = item.value();
        if (!p.is_floating_point()) continue;
        if (observed_dtype(p, nx) != dtype_name(nx.storage())) out.push_back(item.key());
    }
    return out;
}

void add_findings(RunReport& r, const RunTrace* trace, const AuditFacts& facts) {
    if (facts.fault)
        r.findings.push_back(make(Severity::Info, code::kFaultInjected, to_string(facts.fault->module), facts.fault->layer, -1,
                                  "diagnostic fault injected: " + facts.fault->to_string()));
    if (trace) {
        r.layers = trace->table();
        if (const auto& nf = trace->first_nonfinite())
            r.findings.push_back(make(Severity::Error, code::kNonfinite, nf->module, nf->layer, nf->step,
                                      "first non-finite values at " + nf->module + "." + nf->layer +
                                          (nf->step > 0 ? " (step " + std::to_string(nf->step) + ")" : "")));
    }
    if ((!trace || !trace->first_nonfinite()) && !r.first_nonfinite_stage.empty())
        r.findings.push_back(make(Severity::Error, code::kNonfinite, "", "", -1,
                                  "first non-finite values at stage: " + r.first_nonfinite_stage));
    per_layer_findings(r, facts);
    autocast_findings(r, facts);
    weight_findings(r, facts);
    image_findings(r);
    hardware_findings(r, facts);
    if (trace) runtime_findings(r, *trace);
    // Basic level keeps the report small: only the sites it traced fully or that went non-finite.
}

}  // namespace studio
