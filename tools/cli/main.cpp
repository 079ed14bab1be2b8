// precision-cli: a thin front end over core/ (inspect, generate, compare, init-random, metadata,
// eval-attributes, sweep).
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <map>

#include "Commands.h"
#include "studio/Errors.h"
#include "studio/BlasCheck.h"
#include "studio/Logging.h"
#include "studio/Provenance.h"

int main(int argc, char** argv) {
    studio::prepare_process_environment();
    // Past a file size limit (ulimit -f) a write must fail with EFBIG and be reported, not kill us.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"Precision Studio command line: inspect NewBie model folders, generate and compare precisions"};
    app.require_subcommand(1);
    app.set_version_flag("--version", studio::app_version());
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages");
    std::map<std::string, studio::cli::Runner> runners;
    runners["inspect"] = studio::cli::add_inspect_command(app);
    runners["generate"] = studio::cli::add_generate_command(app);
    runners["compare"] = studio::cli::add_compare_command(app);
    runners["init-random"] = studio::cli::add_init_random_command(app);
    runners["metadata"] = studio::cli::add_metadata_command(app);
    runners["eval-attributes"] = studio::cli::add_eval_attributes_command(app);
    runners["selftest-audit"] = studio::cli::add_selftest_audit_command(app);
    runners["sweep"] = studio::cli::add_sweep_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help / --version exit 0; every bad option is a configuration error (exit 2).
        return app.exit(e) == 0 ? 0 : 2;
    }

    studio::init_logging({}, true);
    studio::set_log_level(verbose ? studio::LogLevel::Debug : studio::LogLevel::Warn);
    try {
        for (auto* sub : app.get_subcommands()) {
            // libtorch on Debian's reference BLAS is several times slower: say so before a long run.
            const std::string name = sub->get_name();
            if (name == "generate" || name == "compare" || name == "eval-attributes")
                if (const auto warning = studio::reference_blas_warning(studio::current_blas()); !warning.empty())
                    spdlog::warn("{}", warning);
            return runners.at(name)();
        }
    } catch (const studio::CancelledError& e) {
        std::cerr << "\ncancelled\n";
        return 130;
    } catch (const studio::ConfigError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const studio::StudioError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "internal error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
