#include "studio/Errors.h"

namespace studio {

namespace {
std::string with_context(const std::string& message, const std::string& file, const std::string& tensor) {
    std::string out = message;
    if (!tensor.empty()) out += " [tensor '" + tensor + "']";
    if (!file.empty()) out += " [file '" + file + "']";
    return out;
}

std::string with_position(const std::string& message, int line, int column) {
    if (line <= 0) return message;
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}
}  // namespace

ModelLoadError::ModelLoadError(const std::string& message, std::string file, std::string tensor)
    : StudioError(with_context(message, file, tensor)), m_file(std::move(file)), m_tensor(std::move(tensor)) {}

PromptParseError::PromptParseError(const std::string& message, int line, int column)
    : StudioError(with_position(message, line, column)), m_line(line), m_column(column) {}

}  // namespace studio
