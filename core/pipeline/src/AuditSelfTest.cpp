#include "studio/AuditSelfTest.h"

namespace studio {

std::vector<AuditCase> default_audit_cases() {
    const std::string bf16 = "bf16";
    const std::string dit_fp16 = "text=bf16,clip=bf16,dit=fp16,vae=bf16";
    const std::string dit_autocast = "text=bf16,clip=bf16,dit=autocast-bf16,vae=bf16";
    return {
        {"clean", "", bf16, false, "", "", ""},
        {"skip-rounding:dit", "skip-rounding:dit", bf16, false, code::kPrecisionSignature, "dit", ""},
        {"skip-rounding:text", "skip-rounding:text", bf16, false, code::kPrecisionSignature, "text", ""},
        {"fp16-as-bf16:dit", "fp16-as-bf16:dit", dit_fp16, false, code::kPrecisionSignature, "dit", ""},
        {"bf16-as-fp32:vae", "bf16-as-fp32:vae", bf16, false, code::kPrecisionSignature, "vae", ""},
        {"bf16-as-fp32:clip", "bf16-as-fp32:clip", bf16, false, code::kPrecisionSignature, "clip", ""},
        {"fp32-weights:dit.layers.0", "fp32-weights:dit.layers.0", bf16, false, code::kWeightsNotCast, "dit", "layers.0"},
        {"fp32-weights:vae", "fp32-weights:vae", bf16, false, code::kWeightsNotCast, "vae", ""},
        {"inf:dit.layers.1", "inf:dit.layers.1", bf16, false, code::kNonfinite, "dit", "layers.1"},
        {"inf:text.layers.0", "inf:text.layers.0", bf16, false, code::kNonfinite, "text", "layers.0"},
        {"overflow:dit.layers.1", "overflow:dit.layers.1", bf16, false, code::kFp16OverflowRisk, "dit", "layers.1"},
        {"overflow:clip.encoder.layers.0", "overflow:clip.encoder.layers.0", bf16, false, code::kFp16OverflowRisk, "clip",
         "encoder.layers.0"},
        {"autocast-off:dit", "autocast-off:dit", dit_autocast, false, code::kDtypeMismatch, "dit", ""},
        {"zero-image", "zero-image", bf16, false, code::kImageBlack, "", ""},
        {"zero-image + fp32 fallback", "zero-image", bf16, true, code::kVaeFallbackUsed, "vae", ""},
    };
}

AuditCaseResult check_audit_case(const AuditCase& c, const RunReport& report) {
    AuditCaseResult r;
    if (c.expect_code.empty()) {
        for (const auto& f : report.findings)
            if (f.severity != Severity::Info) {
                r.detail = "unexpected " + f.code + " at " + f.module + (f.layer.empty() ? "" : "." + f.layer) + ": " + f.message;
                return r;
            }
        r.passed = true;
        r.detail = "no warning or error finding";
        return r;
    }
    for (const auto& f : report.findings) {
        if (f.code != c.expect_code) continue;
        if (!c.expect_module.empty() && f.module != c.expect_module) continue;
        if (!c.expect_layer.empty() && f.layer.rfind(c.expect_layer, 0) != 0) continue;
        r.passed = true;
        r.detail = f.code + " at " + (f.module.empty() ? "image" : f.module) + (f.layer.empty() ? "" : "." + f.layer) +
                   (f.step > 0 ? " step " + std::to_string(f.step) : "") + ": " + f.message;
        return r;
    }
    r.detail = "no " + c.expect_code + " finding at " + (c.expect_module.empty() ? "the image" : c.expect_module) +
               (c.expect_layer.empty() ? "" : "." + c.expect_layer) + " (" + std::to_string(report.findings.size()) +
               " findings)";
    return r;
}

}  // namespace studio
