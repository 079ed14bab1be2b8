// Requests refused before anything loads: non-finite or negative values, sizes and step counts
// past the limits (with a memory estimate), runs larger than the free memory.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "studio/Errors.h"
#include "studio/RequestCheck.h"

using namespace studio;

namespace {
GenerationParams valid() {
    GenerationParams p;
    p.model_dir = "/nonexistent-model-folder";  // the estimate then counts activations only
    p.prompt = "1girl";
    p.width = p.height = 256;
    p.steps = 4;
    return p;
}

std::string refusal(const GenerationParams& p) {
    try {
        check_request(p);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST(RequestCheck, ASmallRequestPasses) { EXPECT_EQ(refusal(valid()), ""); }

TEST(RequestCheck, NonFiniteAndNegativeValuesAreNamed) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    struct Case {
        float GenerationParams::*field;
        float value;
        const char* name;
    };
    for (const auto& c : {Case{&GenerationParams::cfg_scale, nan, "CFG scale"}, Case{&GenerationParams::cfg_scale, -1, "CFG scale"},
                          Case{&GenerationParams::cfg_trunc, inf, "CFG truncation"},
                          Case{&GenerationParams::cfg_trunc, -0.5f, "CFG truncation"},
                          Case{&GenerationParams::renorm_cfg, nan, "CFG renormalisation"},
                          Case{&GenerationParams::renorm_cfg, -2, "CFG renormalisation"},
                          Case{&GenerationParams::shift, nan, "time shift"}, Case{&GenerationParams::shift, 0, "time shift"}}) {
        auto p = valid();
        p.*c.field = c.value;
        const std::string msg = refusal(p);
        EXPECT_NE(msg.find(c.name), std::string::npos) << c.name << " = " << c.value << ": '" << msg << "'";
    }
}

TEST(RequestCheck, StepsOutsideTheRangeAreRefused) {
    for (int steps : {0, -3, 10000}) {
        auto p = valid();
        p.steps = steps;
        EXPECT_NE(refusal(p).find("steps must be between 1 and 1000 (got " + std::to_string(steps) + ")"), std::string::npos);
    }
}

TEST(RequestCheck, HugeImagesAreRefusedWithAnEstimate) {
    auto p = valid();
    p.width = p.height = 16384;
    const std::string msg = refusal(p);
    EXPECT_NE(msg.find("16384x16384"), std::string::npos) << msg;
    EXPECT_NE(msg.find("GiB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("VAE decode"), std::string::npos) << msg;
    EXPECT_NE(msg.find("available"), std::string::npos) << msg;
    p.width = 4;
    p.height = 256;
    EXPECT_NE(refusal(p).find("between 8 and 4096"), std::string::npos);
}

TEST(RequestCheck, EstimateGrowsWithTheImage) {
    auto small = valid(), big = valid();
    big.width = big.height = 2048;
    const auto a = estimate_run_memory(small), b = estimate_run_memory(big);
    EXPECT_GT(b.vae_decode, 32 * a.vae_decode);  // 64x the pixels
    EXPECT_GT(b.dit, a.dit);
    EXPECT_EQ(a.weights, 0);  // no model folder
    EXPECT_GT(available_system_memory(), 0);
}

TEST(RequestCheck, MoreThanTheFreeMemoryIsRefused) {
    MemoryEstimate m;
    m.weights = 3ll << 30;
    m.vae_decode = 2ll << 30;
    m.available = 4ll << 30;
    try {
        check_fits(m);
        FAIL() << "5 GiB on 4 GiB was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("about 5.0 GiB"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("4.0 GiB available"), std::string::npos) << e.what();
    }
    m.available = 6ll << 30;
    EXPECT_NO_THROW(check_fits(m));
    m.available = -1;  // unknown (CUDA): never refused up front
    EXPECT_NO_THROW(check_fits(m));
}
