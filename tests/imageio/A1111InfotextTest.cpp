// An exported PNG read the way AUTOMATIC1111's WebUI reads it. The parser below follows A1111's
// documented infotext rules independently of the project's own parser: the "parameters" text is
// stripped and split into lines; the last line holds the settings when the regex
//   \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)
// finds at least three items; quoted values are unquoted with JSON rules; "WxH" values become
// "<key>-1" / "<key>-2"; lines before "Negative prompt:" are the prompt (each line stripped).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <regex>

#include "TestSupport.h"
#include "studio/ImageIO.h"
#include "studio/Provenance.h"

using namespace studio;

namespace {

std::string strip(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r\n");
    return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

std::map<std::string, std::string> a1111_parse(const std::string& x) {
    static const std::regex re_param(R"re(\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$))re");
    static const std::regex re_imagesize(R"(^(\d+)x(\d+)$)");
    std::vector<std::string> lines;
    std::string all = strip(x);
    for (size_t start = 0;;) {
        const size_t nl = all.find('\n', start);
        lines.push_back(all.substr(start, nl == std::string::npos ? nl : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    std::string lastline = lines.back();
    lines.pop_back();
    const auto count = std::distance(std::sregex_iterator(lastline.begin(), lastline.end(), re_param), std::sregex_iterator());
    if (count < 3) {
        lines.push_back(lastline);
        lastline.clear();
    }
    std::map<std::string, std::string> res;
    std::string prompt, negative;
    bool done_with_prompt = false;
    for (std::string line : lines) {
        line = strip(line);
        if (line.rfind("Negative prompt:", 0) == 0) {
            done_with_prompt = true;
            line = strip(line.substr(16));
        }
        std::string& target = done_with_prompt ? negative : prompt;
        target += (target.empty() ? "" : "\n") + line;
    }
    for (auto it = std::sregex_iterator(lastline.begin(), lastline.end(), re_param); it != std::sregex_iterator(); ++it) {
        const std::string k = (*it)[1].str();
        std::string v = (*it)[2].str();
        if (!v.empty() && v.front() == '"' && v.back() == '"') v = nlohmann::json::parse(v).get<std::string>();
        std::smatch m;
        if (std::regex_match(v, m, re_imagesize)) {
            res[k + "-1"] = m[1].str();
            res[k + "-2"] = m[2].str();
        } else {
            res[k] = v;
        }
    }
    res["Prompt"] = prompt;
    res["Negative prompt"] = negative;
    return res;
}

struct Chunk {
    std::string type, data;
};

std::vector<Chunk> png_chunks(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<Chunk> out;
    for (size_t pos = 8; pos + 12 <= bytes.size();) {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + pos);
        const uint32_t n = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
        out.push_back({bytes.substr(pos + 4, 4), bytes.substr(pos + 8, n)});
        pos += 12 + n;
    }
    return out;
}

RunReport exported_report() {
    RunReport r;
    r.params.model_dir = "/home/someone/private/models/NewBie-image-Exp0.1/";
    r.params.prompt = "<character_1>\n<n>miku</n>\n<appearance>blue_hair, twintails: long</appearance>\n</character_1>";
    r.params.negative = "blurry, worst quality, \"bad\" hands";
    r.params.seed = 9876543210ull;
    r.params.steps = 20;
    r.params.cfg_scale = 4.5f;
    r.params.cfg_trunc = 0.75f;
    r.params.shift = 6.0f;
    r.params.width = 256;
    r.params.height = 384;
    r.params.precision = PrecisionConfig::mixed();
    for (Module m : kAllModules) {
        ModuleReport mr;
        mr.module = m;
        mr.numerics = m == Module::Dit || m == Module::Vae ? "bf16 emulated" : "fp32";
        r.modules.push_back(mr);
    }
    r.device_name = "CPU (2 threads)";
    r.weight_hashes = {{"transformer", "0123456789abcdef"}, {"vae", "fedcba9876543210"}};
    r.warnings = {"weights in /home/someone/private/models/NewBie-image-Exp0.1/vae were converted"};
    return r;
}

}  // namespace

TEST(A1111Infotext, ExportedPngParsesWithEveryFieldIntact) {
    const auto dir = test::temp_dir("a1111-infotext");
    const std::string path = (dir / "export.png").string();
    const RunReport report = exported_report();
    write_image(path, ImageF(16, 16, 3, 0.5f), ImageFormat::PNG8, {provenance_text(report)});

    // Exactly one "parameters" chunk (pure ASCII here, so tEXt).
    std::string parameters;
    int parameter_chunks = 0;
    for (const auto& c : png_chunks(path)) {
        if ((c.type == "tEXt" || c.type == "iTXt") && c.data.rfind(std::string("parameters\0", 11), 0) == 0) {
            ++parameter_chunks;
            EXPECT_EQ(c.type, "tEXt");
            parameters = c.data.substr(11);
        }
    }
    ASSERT_EQ(parameter_chunks, 1);

    const auto res = a1111_parse(parameters);
    EXPECT_EQ(res.at("Prompt"), report.params.prompt);  // no indentation, so A1111's line strip keeps it
    EXPECT_EQ(res.at("Negative prompt"), report.params.negative);
    EXPECT_EQ(res.at("Steps"), "20");
    EXPECT_EQ(res.at("Sampler"), "Euler");
    EXPECT_EQ(res.at("CFG scale"), "4.5");
    EXPECT_EQ(res.at("Seed"), "9876543210");
    EXPECT_EQ(res.at("Size-1"), "256");
    EXPECT_EQ(res.at("Size-2"), "384");
    EXPECT_EQ(res.at("Model"), "NewBie-image-Exp0.1");
    EXPECT_EQ(res.at("Model hash"), "0123456789");
    EXPECT_EQ(res.at("Shift"), "6");
    EXPECT_EQ(res.at("CFG truncation"), "0.75");
    EXPECT_EQ(res.at("Precision"), "text=fp32,clip=fp32,dit=bf16,vae=bf16");
    EXPECT_EQ(res.at("Effective precision"), "text=fp32,clip=fp32,dit=bf16 emulated,vae=bf16 emulated");
    EXPECT_EQ(res.at("Device"), "CPU (2 threads)");
    EXPECT_EQ(res.at("Version"), app_version());
    EXPECT_EQ(res.size(), 16u) << "an item was split or merged";

    // The JSON record names the model folder but does not reveal where it lives.
    const auto meta = read_image_metadata(path);
    const std::string record = meta.text.at(kProvenanceJsonKey);
    EXPECT_EQ(record.find("/home/someone"), std::string::npos) << record;
    EXPECT_EQ(nlohmann::json::parse(record)["params"]["model_dir"], "NewBie-image-Exp0.1");
    EXPECT_NE(record.find("weights in NewBie-image-Exp0.1/vae"), std::string::npos);
    test::remove_tree(dir);
}

TEST(A1111Infotext, UnquotedPrecisionWouldHaveBeenCut) {
    // The alarm: A1111's rules really do cut an unquoted comma-containing value.
    const auto res = a1111_parse("p\nSteps: 1, Sampler: Euler, Precision: text=fp32,clip=bf16, Seed: 3");
    EXPECT_EQ(res.at("Precision"), "text=fp32");
    EXPECT_EQ(res.at("Seed"), "3");
}

TEST(A1111Infotext, FullPathsStayWhenAskedFor) {
    const RunReport report = exported_report();
    const auto text = provenance_text(report, {}, ProvenancePaths::FullPath);
    EXPECT_NE(text.at(kProvenanceJsonKey).find("/home/someone/private/models/NewBie-image-Exp0.1"), std::string::npos);
}
