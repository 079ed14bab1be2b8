#include "DemoData.h"

#include <cstring>

#include "studio/Errors.h"
#include "studio/PromptFormat.h"
#include "studio/demo/CharacterRenderer.h"

namespace studio::demo {

namespace {
uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

torch::Tensor rows_to_tensor(const std::vector<std::vector<int64_t>>& rows) {
    const int64_t b = static_cast<int64_t>(rows.size()), l = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
    auto t = torch::empty({b, l}, torch::kInt64);
    for (int64_t i = 0; i < b; ++i) std::memcpy(t[i].data_ptr<int64_t>(), rows[i].data(), sizeof(int64_t) * l);
    return t;
}
}  // namespace

uint64_t sample_seed(uint64_t seed, int64_t step, int index) {
    return splitmix64(splitmix64(seed) ^ splitmix64(static_cast<uint64_t>(step) * 1000003ull + static_cast<uint64_t>(index)));
}

DemoBatch make_batch(const DataOptions& o, int64_t step, const TextTokenizers* tokenizers) {
    DemoBatch b;
    b.step = step;
    const int n = o.image_size;
    b.images = torch::empty({o.batch, n, n, 3}, torch::kUInt8);
    auto* out = b.images.data_ptr<uint8_t>();
    for (int i = 0; i < o.batch; ++i) {
        const uint64_t s = sample_seed(o.seed, step, i);
        Scene scene = random_scene(s, o.two_character_fraction);
        const ImageF img = render_scene(scene, n);
        uint8_t* dst = out + static_cast<size_t>(i) * n * n * 3;
        for (size_t k = 0; k < img.pixels.size(); ++k)
            dst[k] = static_cast<uint8_t>(std::clamp(img.pixels[k], 0.0f, 1.0f) * 255.0f + 0.5f);
        const double u = static_cast<double>(splitmix64(s ^ 0xD5A7ull) >> 11) / 9007199254740992.0;
        b.prompts.push_back(u < o.caption_dropout ? std::string() : scene_prompt(scene, {true, o.omit_probability}));
        b.scenes.push_back(std::move(scene));
    }
    if (tokenizers) {
        std::vector<std::string> gemma_texts;
        for (const auto& p : b.prompts) gemma_texts.push_back(gemma_input_text(p, SystemPromptMode::Training));
        const TokenBatch g = make_gemma_batch(*tokenizers->gemma, gemma_texts, 512, 8);
        b.gemma_ids = rows_to_tensor(g.ids);
        b.gemma_mask = rows_to_tensor(g.mask);
        std::vector<std::string> jina_texts;
        for (const auto& p : b.prompts) jina_texts.push_back(jina_input_text(p));
        b.jina_ids = rows_to_tensor(make_jina_batch(*tokenizers->jina, jina_texts, 512).ids);
    }
    return b;
}

torch::Tensor images_to_tensor(const torch::Tensor& images_u8, const torch::Device& device) {
    return images_u8.to(device, /*non_blocking=*/false).permute({0, 3, 1, 2}).to(torch::kFloat32).div(127.5).sub(1.0).contiguous();
}

BatchSource::BatchSource(DataOptions options, int64_t first_step)
    : m_options(std::move(options)), m_next_claim(first_step), m_next_return(first_step) {
    if (m_options.prefetch <= 0) m_options.prefetch = 2 * std::max(1, m_options.workers);
    for (int i = 0; i < std::max(1, m_options.workers); ++i) m_threads.emplace_back([this] { work(); });
}

BatchSource::~BatchSource() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    for (auto& t : m_threads) t.join();
}

void BatchSource::work() {
    try {
        // Each worker owns its tokenizers: no shared state while encoding.
        TextTokenizers tokenizers;
        const bool tokenize = !m_options.tokenizers.gemma_model.empty();
        if (tokenize) tokenizers = load_demo_tokenizers(m_options.tokenizers);
        for (;;) {
            int64_t step;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_cv.wait(lock, [&] { return m_stop || m_next_claim < m_next_return + m_options.prefetch; });
                if (m_stop) return;
                step = m_next_claim++;
            }
            DemoBatch batch = make_batch(m_options, step, tokenize ? &tokenizers : nullptr);
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_ready.emplace(step, std::move(batch));
            }
            m_cv.notify_all();
        }
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_error = e.what();
        m_stop = true;
        m_cv.notify_all();
    }
}

DemoBatch BatchSource::next() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_error.empty() || m_ready.count(m_next_return) != 0; });
    if (!m_error.empty()) throw StudioError("training data worker failed: " + m_error);
    auto node = m_ready.extract(m_next_return++);
    lock.unlock();
    m_cv.notify_all();
    return std::move(node.mapped());
}

}  // namespace studio::demo
