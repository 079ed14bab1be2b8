// precision-spm-train "--input=corpus.txt --model_prefix=out/m --vocab_size=400 ..."
// Trains a SentencePiece model with the flags of sentencepiece::SentencePieceTrainer::Train.
// The arguments are joined and split before each " --", so a value may contain spaces
// (a path, say). Errors go to stderr with exit status 1 (2 for bad usage).
#include <sentencepiece_trainer.h>

#include <cctype>
#include <cstdio>
#include <exception>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// "--a=1 --b=x y" -> {"--a=1", "--b=x y"}: a flag ends where whitespace and "--" begin.
std::vector<std::string> split_flags(const std::string& args) {
    std::vector<std::string> flags;
    std::string current;
    for (size_t i = 0; i < args.size(); ++i) {
        if (std::isspace(static_cast<unsigned char>(args[i]))) {
            size_t j = i;
            while (j < args.size() && std::isspace(static_cast<unsigned char>(args[j]))) ++j;
            if (j == args.size() || args.compare(j, 2, "--") == 0) {
                if (!current.empty()) flags.push_back(current);
                current.clear();
                i = j - 1;
                continue;
            }
        }
        current += args[i];
    }
    if (!current.empty()) flags.push_back(current);
    return flags;
}

// As SentencePieceTrainer parses its string: leading "--" optional, "key" alone means "key=".
bool parse_flags(const std::string& args, std::unordered_map<std::string, std::string>* kwargs) {
    for (std::string flag : split_flags(args)) {
        if (flag.compare(0, 2, "--") == 0) flag.erase(0, 2);
        const size_t eq = flag.find('=');
        const std::string key = flag.substr(0, eq);
        if (key.empty()) {
            std::fprintf(stderr, "precision-spm-train: malformed flag '%s'\n", flag.c_str());
            return false;
        }
        (*kwargs)[key] = eq == std::string::npos ? std::string() : flag.substr(eq + 1);
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string args;
    for (int i = 1; i < argc; ++i) args += (i > 1 ? " " : "") + std::string(argv[i]);
    if (args.find_first_not_of(" \t\r\n") == std::string::npos || args == "--help" || args == "-h") {
        std::fprintf(
            stderr,
            "usage: precision-spm-train \"--input=FILE --model_prefix=PREFIX --vocab_size=N [--flag=value ...]\"\n"
            "Trains a SentencePiece model (flags of sentencepiece::SentencePieceTrainer::Train).\n");
        return 2;
    }
    std::unordered_map<std::string, std::string> kwargs;
    if (!parse_flags(args, &kwargs)) return 2;
    try {
        const auto status = sentencepiece::SentencePieceTrainer::Train(kwargs);
        if (!status.ok()) {
            std::fprintf(stderr, "precision-spm-train: %s\n", status.ToString().c_str());
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "precision-spm-train: %s\n", e.what());
        return 1;
    }
    return 0;
}
