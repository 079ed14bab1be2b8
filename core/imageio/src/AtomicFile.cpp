#include "AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "studio/Errors.h"

namespace studio {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
    throw ExportError("cannot export '" + path + "': " + what + ": " + std::strerror(err));
}

std::string random_suffix() {
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device rd;
    std::mt19937 rng(rd());
    std::uniform_int_distribution<int> pick(0, 35);
    std::string s(6, 'x');
    for (char& c : s) c = kChars[pick(rng)];
    return s;
}

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);  // best effort: the rename below is what guarantees all-or-nothing
    ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path)) {
    if (m_path.empty()) throw ExportError("cannot export: the file name is empty");
    std::error_code ec;
    if (std::filesystem::is_directory(m_path, ec)) fail(m_path, "the path is a folder", EISDIR);
    for (int attempt = 0; attempt < 16; ++attempt) {
        m_temp = m_path + ".tmp-" + random_suffix();
        const int fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            ::close(fd);
            return;
        }
        if (errno != EEXIST) fail(m_path, "cannot create a file in its folder", errno);
    }
    fail(m_path, "cannot create a unique temporary file", EEXIST);
}

AtomicFile::~AtomicFile() {
    if (!m_committed) std::remove(m_temp.c_str());
}

std::vector<unsigned char> AtomicFile::read_temp() const {
    std::FILE* f = std::fopen(m_temp.c_str(), "rb");
    if (!f) fail(m_path, "cannot read back the encoded file", errno);
    std::vector<unsigned char> bytes;
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    const bool error = std::ferror(f);
    std::fclose(f);
    if (error) fail(m_path, "cannot read back the encoded file", EIO);
    return bytes;
}

void AtomicFile::write_temp(const std::vector<unsigned char>& bytes) {
    std::FILE* f = std::fopen(m_temp.c_str(), "wb");
    if (!f) fail(m_path, "cannot rewrite the temporary file", errno);
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const int err = errno;
    if (std::fclose(f) != 0 || !ok) fail(m_path, "write failed", ok ? errno : err);
}

void AtomicFile::commit() {
    fsync_path(m_temp, O_RDONLY);
    if (std::rename(m_temp.c_str(), m_path.c_str()) != 0) fail(m_path, "cannot rename the temporary file", errno);
    m_committed = true;
    const auto dir = std::filesystem::path(m_path).parent_path();
    fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace studio
