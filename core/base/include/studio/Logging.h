#pragma once
// spdlog set up once: console + a rotating file in the user's data directory, plus
// optional callbacks (the UI's log panel).
#include <functional>
#include <string>

namespace studio {

enum class LogLevel { Trace, Debug, Info, Warn, Error };

// Safe to call more than once; later calls only add the file sink if it was missing.
// `log_dir` empty = $XDG_DATA_HOME/precision-studio/logs (or ~/.local/share/...).
void init_logging(const std::string& log_dir = {}, bool console = true);
std::string default_data_dir();  // $XDG_DATA_HOME/precision-studio or ~/.local/share/precision-studio

using LogCallback = std::function<void(LogLevel, const std::string&)>;
// Returns an id for remove_log_callback. Callbacks run on the logging thread.
int add_log_callback(LogCallback cb);
void remove_log_callback(int id);
void set_log_level(LogLevel level);

// Call first thing in main(): OpenMP worker threads wait passively unless the user chose
// otherwise (spinning workers made a 4 s CPU run take 14-67 s on a busy 2-core machine), and
// glibc's malloc keeps large blocks for reuse instead of mapping them anew (see Logging.cpp).
void prepare_process_environment();

}  // namespace studio
