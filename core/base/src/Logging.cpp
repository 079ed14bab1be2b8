#include "studio/Logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <filesystem>
#include <map>
#include <mutex>

namespace studio {

namespace {
std::mutex g_mutex;
std::map<int, LogCallback> g_callbacks;
int g_next_id = 1;
bool g_file_sink = false;

LogLevel from_spdlog(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace: return LogLevel::Trace;
        case spdlog::level::debug: return LogLevel::Debug;
        case spdlog::level::info: return LogLevel::Info;
        case spdlog::level::warn: return LogLevel::Warn;
        default: return LogLevel::Error;
    }
}

class CallbackSink : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::map<int, LogCallback> callbacks;
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            callbacks = g_callbacks;
        }
        if (callbacks.empty()) return;
        const std::string text(msg.payload.data(), msg.payload.size());
        for (auto& [id, cb] : callbacks) cb(from_spdlog(msg.level), text);
    }
    void flush_() override {}
};

std::shared_ptr<spdlog::logger> make_logger(bool console) {
    std::vector<spdlog::sink_ptr> sinks;
    if (console) {
        auto c = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        c->set_level(spdlog::level::info);
        sinks.push_back(c);
    }
    sinks.push_back(std::make_shared<CallbackSink>());
    auto logger = std::make_shared<spdlog::logger>("studio", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    return logger;
}
}  // namespace

std::string default_data_dir() {
    namespace fs = std::filesystem;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return (fs::path(xdg) / "precision-studio").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".local" / "share" / "precision-studio").string();
    return (fs::temp_directory_path() / "precision-studio").string();
}

void init_logging(const std::string& log_dir, bool console) {
    static std::once_flag once;
    std::call_once(once, [console] { spdlog::set_default_logger(make_logger(console)); });
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_file_sink) return;
    try {
        namespace fs = std::filesystem;
        const fs::path dir = log_dir.empty() ? fs::path(default_data_dir()) / "logs" : fs::path(log_dir);
        fs::create_directories(dir);
        auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>((dir / "studio.log").string(), 5 * 1024 * 1024, 3);
        file->set_level(spdlog::level::debug);
        spdlog::default_logger()->sinks().push_back(file);
        g_file_sink = true;
    } catch (const std::exception& e) {
        spdlog::warn("file logging disabled: {}", e.what());
    }
}

int add_log_callback(LogCallback cb) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_callbacks[g_next_id] = std::move(cb);
    return g_next_id++;
}

void remove_log_callback(int id) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_callbacks.erase(id);
}

void set_log_level(LogLevel level) {
    static const spdlog::level::level_enum map[] = {spdlog::level::trace, spdlog::level::debug, spdlog::level::info,
                                                    spdlog::level::warn, spdlog::level::err};
    spdlog::default_logger()->set_level(map[static_cast<int>(level)]);
}

void prepare_process_environment() {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
#if defined(__GLIBC__)
    // glibc hands blocks above its adaptive mmap threshold (at most 32 MiB) to fresh mmaps and
    // unmaps them on free, so large activation tensors page-fault anew on every step: a fifth of
    // the demo model's CPU time, and the VAE decode ran 2.4x slower. Blocks up to 256 MiB stay in
    // the heap for reuse, unless the user tuned malloc through the environment.
    if (!std::getenv("GLIBC_TUNABLES") && !std::getenv("MALLOC_MMAP_THRESHOLD_") && !std::getenv("MALLOC_TRIM_THRESHOLD_")) {
        mallopt(M_MMAP_THRESHOLD, 256 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);
    }
#endif
}

}  // namespace studio
