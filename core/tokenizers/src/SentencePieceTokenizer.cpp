// The SentencePiece route: the ModelProto is read natively and converted into the
// equivalent tokenizer.json, which the tokenizer.json runtime runs. No SentencePiece library
// is linked: its bundled protobuf runtime clashes with libtorch's in one process.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "JsonTokenizer.h"
#include "studio/Errors.h"
#include "studio/tokenizers/SentencePieceConversion.h"
#include "studio/tokenizers/SentencePieceModel.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {

namespace {

std::string model_type_label(const std::string& t) {
    if (t == "bpe") return "BPE";
    if (t == "unigram") return "Unigram";
    if (t == "word") return "Word";
    return "Char";
}

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path, SentencePieceIdLayout layout) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw TokenizerError("SentencePiece model not found: '" + path + "'");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TokenizerError("cannot open SentencePiece model '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    const SentencePieceModelInfo info = parse_sentencepiece_model(ss.str(), path);
    const bool fairseq = layout == SentencePieceIdLayout::Fairseq;
    const std::string description =
        "SentencePiece " + model_type_label(info.model_type) + " (" + std::filesystem::path(path).filename().string() +
        ", " + std::to_string(info.pieces.size()) + " pieces" + (info.byte_fallback ? ", byte fallback" : "") +
        (fairseq ? ", fairseq ids" : "") + ")";
    try {
        return make_json_tokenizer(sentencepiece_to_tokenizer_json(info, layout), path, description);
    } catch (const TokenizerError& e) {
        throw TokenizerError("cannot load SentencePiece model '" + path + "': " + e.what());
    } catch (const nlohmann::json::exception& e) {
        throw TokenizerError("cannot load SentencePiece model '" + path + "': " + e.what());
    }
}

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& path) {
    return load_sentencepiece(path, SentencePieceIdLayout::Model);
}

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer_fairseq(const std::string& path) {
    return load_sentencepiece(path, SentencePieceIdLayout::Fairseq);
}

}  // namespace studio
