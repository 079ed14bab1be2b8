#pragma once
// A temporary file beside the destination that becomes the destination only on commit():
// readers never see a half-written export, and a failure leaves nothing behind.
#include <string>
#include <vector>

namespace studio {

class AtomicFile {
public:
    // Reserves "<path>.tmp-XXXXXX" (O_EXCL). Throws ExportError naming `path` and the OS reason.
    explicit AtomicFile(std::string path);
    ~AtomicFile();  // removes the temporary file unless committed
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::string& temp_path() const { return m_temp; }
    const std::string& path() const { return m_path; }

    std::vector<unsigned char> read_temp() const;           // the bytes written so far
    void write_temp(const std::vector<unsigned char>& bytes);  // replaces the temporary content
    void commit();  // fsync + rename over `path`; throws ExportError

private:
    std::string m_path;
    std::string m_temp;
    bool m_committed{false};
};

}  // namespace studio
