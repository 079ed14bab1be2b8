// precision-cli: a thin front end over core/ (inspect, generate, compare, init-random, metadata,
// eval-attributes).
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>

#include "Commands.h"
#include "studio/Errors.h"
#include "studio/Logging.h"

int main(int argc, char** argv) {
    studio::prepare_process_environment();
    CLI::App app{"Precision Studio command line: inspect NewBie model folders, generate and compare precisions"};
    app.require_subcommand(1);
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
    CLI11_PARSE(app, argc, argv);

    studio::init_logging({}, true);
    studio::set_log_level(verbose ? studio::LogLevel::Debug : studio::LogLevel::Warn);
    try {
        for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
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
