// The padded batches of the pipeline fixture (texts.json -> gemma_input_ids / mask and
// jina_input_ids in expected.safetensors), rebuilt with make_gemma_batch / make_jina_batch.
#include <cstring>
#include <fstream>

#include "TokenizerTestUtil.h"
#include "studio/SafeTensors.h"
#include "studio/tokenizers/Tokenizer.h"

namespace studio {
namespace {

// An int64 tensor of the file as rows.
std::vector<std::vector<int64_t>> int64_rows(const SafeTensorFile& file, const std::string& name) {
    const auto* e = file.find(name);
    EXPECT_NE(e, nullptr) << name;
    if (!e) return {};
    EXPECT_EQ(e->dtype, StDType::I64) << name;
    EXPECT_EQ(e->shape.size(), 2u) << name;
    if (e->dtype != StDType::I64 || e->shape.size() != 2) return {};
    std::vector<std::vector<int64_t>> rows(static_cast<size_t>(e->shape[0]),
                                           std::vector<int64_t>(static_cast<size_t>(e->shape[1])));
    const std::byte* data = file.data(*e);
    for (size_t r = 0; r < rows.size(); ++r)
        std::memcpy(rows[r].data(), data + r * rows[r].size() * sizeof(int64_t), rows[r].size() * sizeof(int64_t));
    return rows;
}

TEST(FixturePipelineBatch, GemmaAndJinaBatchesMatchPipelineInputs) {
    STUDIO_REQUIRE_TOKENIZER_FIXTURES();
    const auto dir = test::fixtures_dir() / "pipeline";
    std::ifstream in(dir / "texts.json");
    ASSERT_TRUE(in) << "missing " << (dir / "texts.json");
    const auto texts = nlohmann::json::parse(in);
    const auto file = SafeTensorFile::open((dir / "expected.safetensors").string());

    const auto gemma = load_sentencepiece_tokenizer(test::gemma_model_path());
    const TokenBatch g = make_gemma_batch(*gemma, texts.at("gemma_texts").get<std::vector<std::string>>());
    EXPECT_EQ(g.ids, int64_rows(*file, "gemma_input_ids"));
    EXPECT_EQ(g.mask, int64_rows(*file, "gemma_attention_mask"));

    const auto jina = load_tokenizer_json(test::xlmr_json_path());
    const TokenBatch j = make_jina_batch(*jina, texts.at("jina_texts").get<std::vector<std::string>>());
    EXPECT_EQ(j.ids, int64_rows(*file, "jina_input_ids"));
}

}  // namespace
}  // namespace studio
