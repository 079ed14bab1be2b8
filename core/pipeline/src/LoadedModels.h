#pragma once
// The loaded form of each component, as kept in the ModelCache.
#include <map>
#include <memory>
#include <string>

#include "studio/Numerics.h"
#include "studio/dit/FlowSampler.h"
#include "studio/dit/NextDiT.h"
#include "studio/text/Gemma3Text.h"
#include "studio/text/JinaText.h"
#include "studio/tokenizers/Tokenizer.h"
#include "studio/vae/Vae.h"

namespace studio {

struct LoadedGemma {
    Gemma3Text model{nullptr};
    Numerics nx;
    std::map<std::string, int64_t> weight_dtypes;
    int64_t hidden_size{0};
    double load_seconds{0};
};

struct LoadedJina {
    JinaText model{nullptr};
    Numerics nx;
    std::map<std::string, int64_t> weight_dtypes;
    double load_seconds{0};
};

struct LoadedDit {
    NextDiT model{nullptr};
    Numerics nx;
    std::map<std::string, int64_t> weight_dtypes;
    int64_t in_channels{16};
    int64_t patch_size{2};
    double load_seconds{0};
};

struct LoadedVae {
    Vae vae;
    std::map<std::string, int64_t> weight_dtypes;
    double load_seconds{0};
};

struct LoadedTokenizers {
    std::unique_ptr<Tokenizer> gemma;
    std::unique_ptr<Tokenizer> jina;
};

}  // namespace studio
