#pragma once
// The audit proving itself: a clean run and one run per diagnostic fault, each with the finding
// that must fire (code, module, layer). Used by `precision-cli selftest-audit` and the tests.
#include <string>
#include <vector>

#include "studio/Generation.h"

namespace studio {

struct AuditCase {
    std::string name;       // "clean", "inf:dit.layers.1", ...
    std::string inject;     // the fault spec ("" = clean run)
    std::string precision;  // the precision spec the fault needs
    bool vae_fallback{false};
    std::string expect_code;    // "" for the clean run (no warning or error may fire)
    std::string expect_module;  // "" = any
    std::string expect_layer;   // prefix of the finding's layer ("" = any)
};

// The names of every diagnostic fault kind ("inf", "zero-image", ...), for help texts.
std::vector<std::string> fault_kind_names();

// Why a --inject spec cannot be used ("" when it parses), checked before any run starts.
std::string fault_spec_error(const std::string& spec);

// One case per fault kind, on layers every NewBie model has (first and second blocks).
std::vector<AuditCase> default_audit_cases();

struct AuditCaseResult {
    bool passed{false};
    std::string detail;  // the matching finding, or why none matched
};

AuditCaseResult check_audit_case(const AuditCase& c, const RunReport& report);

}  // namespace studio
