#include "studio/tokenizers/TokenizerTraining.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "studio/Errors.h"

extern char** environ;

namespace studio {

namespace {

namespace fs = std::filesystem;

constexpr const char* kTool = "precision-spm-train";
constexpr size_t kKeptOutput = 8192;  // tail of the tool's output quoted in errors

bool is_executable(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// Reads `fd` to the end, keeping the last kKeptOutput bytes.
std::string drain(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > 2 * kKeptOutput) out.erase(0, out.size() - kKeptOutput);
    }
    if (out.size() > kKeptOutput) out.erase(0, out.size() - kKeptOutput);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

}  // namespace

std::string find_spm_train_executable() {
    std::vector<std::string> tried;
    const auto check = [&](const fs::path& p) {
        tried.push_back(p.string());
        return is_executable(p);
    };
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && self.has_parent_path()) {
        // An installed layout: the tool sits beside the program.
        if (const fs::path p = self.parent_path() / kTool; check(p)) return p.string();
        // A build tree: the nearest folder above with a CMakeCache.txt is its root.
        for (fs::path dir = self.parent_path(); !dir.empty(); dir = dir.parent_path()) {
            if (fs::exists(dir / "CMakeCache.txt", ec)) {
                if (const fs::path p = dir / "tools" / "spm-train" / kTool; check(p)) return p.string();
                break;
            }
            if (dir == dir.root_path()) break;
        }
    }
    if (const char* env = std::getenv("STUDIO_SPM_TRAIN"); env && *env) {
        if (check(env)) return env;
    } else {
        tried.push_back("$STUDIO_SPM_TRAIN (unset)");
    }
    if (const char* path = std::getenv("PATH"); path && *path) {
        std::string dirs = path;
        for (size_t start = 0; start <= dirs.size();) {
            size_t end = dirs.find(':', start);
            if (end == std::string::npos) end = dirs.size();
            const std::string dir = dirs.substr(start, end - start);
            if (!dir.empty() && is_executable(fs::path(dir) / kTool)) return (fs::path(dir) / kTool).string();
            start = end + 1;
        }
        tried.push_back("PATH");
    }
    std::string where;
    for (const auto& t : tried) where += (where.empty() ? "" : ", ") + t;
    throw TokenizerError(std::string("cannot find the tokenizer trainer ") + kTool + " (tried " + where + ")");
}

void train_sentencepiece(const std::string& trainer_args) {
    const std::string exe = find_spm_train_executable();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw TokenizerError("tokenizer training: cannot create a pipe: " + std::string(std::strerror(errno)));
    // The tool reads nothing; stdout and stderr both come back through the pipe.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    std::string arg0 = exe, arg1 = trainer_args;
    char* argv[] = {arg0.data(), arg1.data(), nullptr};
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        throw TokenizerError("cannot start '" + exe + "': " + std::strerror(rc));
    }
    const std::string output = drain(fds[0]);
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw TokenizerError("tokenizer training: waitpid failed: " + std::string(std::strerror(errno)));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    const std::string how = WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                                : "exited with status " + std::to_string(WEXITSTATUS(status));
    throw TokenizerError("tokenizer training failed: " + exe + " " + how + (output.empty() ? "" : ":\n" + output));
}

}  // namespace studio
