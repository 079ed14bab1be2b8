// `selftest-audit`: runs a clean generation and one per diagnostic fault on a model and shows
// that the audit names each fault (code, module, layer) and stays quiet on the clean run.
#include <iomanip>
#include <iostream>

#include "CliSupport.h"
#include "Commands.h"
#include "studio/AuditSelfTest.h"

namespace studio::cli {

Runner add_selftest_audit_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("selftest-audit", "Inject every diagnostic fault and show the audit catches each one");
    auto o = std::make_shared<GenerationOptions>();
    o->prompt = "1girl, blue_hair, smile";
    o->steps = 8;
    o->width = o->height = 256;
    o->numerics = "emulated";
    o->audit = "deep";
    auto only = std::make_shared<std::string>();
    cmd->add_option("--model", o->model, "Model folder")->required();
    cmd->add_option("--prompt", o->prompt, "Prompt text or file");
    cmd->add_option("--steps", o->steps, "Sampling steps")->check(CLI::Range(1, 1000));
    cmd->add_option("--width", o->width, "Image width");
    cmd->add_option("--height", o->height, "Image height");
    cmd->add_option("--seed", o->seed, "Seed");
    cmd->add_option("--device", o->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd->add_option("--numerics", o->numerics, "emulated (default: every fault applies) or native")
        ->check(CLI::IsMember({"auto", "native", "emulated"}));
    cmd->add_option("--only", *only, "Run only the cases whose name contains this");
    return [o, only]() {
        Pipeline pipeline;
        auto cancel = install_interrupt_handler();
        int failed = 0, ran = 0;
        for (const auto& c : default_audit_cases()) {
            if (!only->empty() && c.name.find(*only) == std::string::npos) continue;
            GenerationOptions run = *o;
            run.inject = c.inject;
            run.vae_fallback = c.vae_fallback;
            const auto params = make_params(run, c.precision);
            const auto result = pipeline.run(params, {}, cancel);
            const auto check = check_audit_case(c, result.report);
            ++ran;
            failed += !check.passed;
            std::cout << (check.passed ? "detected  " : "MISSED    ") << std::left << std::setw(32) << c.name << " "
                      << check.detail << "\n";
        }
        std::cout << ran - failed << " passed, " << failed << " failed\n";
        return failed ? 5 : 0;
    };
}

}  // namespace studio::cli
