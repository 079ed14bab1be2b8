#pragma once
// Trains a SentencePiece model in a separate process (the precision-spm-train tool), so that
// no process linked with libtorch loads libsentencepiece: their protobuf runtimes clash.
#include <string>

namespace studio {

// Runs `precision-spm-train` with `trainer_args`, the argument string of
// sentencepiece::SentencePieceTrainer::Train, e.g.
// "--input=corpus.txt --model_prefix=out/tokenizer --vocab_size=400 --model_type=bpe".
// Each "--key=value" may contain spaces (it ends where the next " --" starts).
// The tool is looked up next to the running executable, then in the build tree's
// tools/spm-train/ folder above it, then at $STUDIO_SPM_TRAIN, then on PATH.
// Throws TokenizerError with the tool's error output when it cannot be found or fails.
void train_sentencepiece(const std::string& trainer_args);

// Where train_sentencepiece finds the tool; throws TokenizerError naming the places tried.
std::string find_spm_train_executable();

}  // namespace studio
