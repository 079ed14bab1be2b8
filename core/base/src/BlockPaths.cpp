#include "studio/BlockPaths.h"

#include <regex>

namespace studio {

bool is_streamed_block_path(const std::string& path) {
    static const std::regex block(R"((^|\.)(layers|noise_refiner|context_refiner)\.\d+\.)");
    return std::regex_search(path, block);
}

}  // namespace studio
