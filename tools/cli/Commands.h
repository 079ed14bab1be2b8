#pragma once
// precision-cli subcommands. Each registers its options on the app and returns the
// callback that runs it; errors surface as StudioError and become exit codes in main.
#include <CLI/CLI.hpp>
#include <functional>

namespace studio::cli {

using Runner = std::function<int()>;

Runner add_inspect_command(CLI::App& app);
Runner add_generate_command(CLI::App& app);
Runner add_compare_command(CLI::App& app);
Runner add_init_random_command(CLI::App& app);
Runner add_metadata_command(CLI::App& app);
Runner add_eval_attributes_command(CLI::App& app);
Runner add_sweep_command(CLI::App& app);
Runner add_selftest_audit_command(CLI::App& app);

}  // namespace studio::cli
