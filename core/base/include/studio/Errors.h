#pragma once
// Typed errors raised inside core/. Front ends (UI, CLI) catch StudioError and show what().
#include <stdexcept>
#include <string>

namespace studio {

class StudioError : public std::runtime_error {
public:
    explicit StudioError(const std::string& message) : std::runtime_error(message) {}
};

// A model file or folder is missing, corrupt, or does not match its config.
// `file` and `tensor` name what was wrong (either may be empty).
class ModelLoadError : public StudioError {
public:
    ModelLoadError(const std::string& message, std::string file = {}, std::string tensor = {});
    const std::string& file() const { return m_file; }
    const std::string& tensor() const { return m_tensor; }

private:
    std::string m_file;
    std::string m_tensor;
};

// A prompt could not be parsed; line/column are 1-based (0 = unknown).
class PromptParseError : public StudioError {
public:
    PromptParseError(const std::string& message, int line = 0, int column = 0);
    int line() const { return m_line; }
    int column() const { return m_column; }

private:
    int m_line;
    int m_column;
};

class ConfigError : public StudioError {
public:
    using StudioError::StudioError;
};

class TokenizerError : public StudioError {
public:
    using StudioError::StudioError;
};

class ExportError : public StudioError {
public:
    using StudioError::StudioError;
};

// A run produced non-finite values where that cannot be recovered from.
class NumericsError : public StudioError {
public:
    using StudioError::StudioError;
};

// The user cancelled a job; not a failure.
class CancelledError : public StudioError {
public:
    CancelledError() : StudioError("cancelled by the user") {}
};

}  // namespace studio
