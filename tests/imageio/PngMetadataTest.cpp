// PNG text chunks at the byte level: layout, CRCs, foreign chunk kinds, corrupt files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "TestSupport.h"
#include "studio/ImageIO.h"

using namespace studio;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

struct Chunk {
    std::string type;
    std::string data;
    bool crc_ok;
};

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

uint32_t be32(const std::string& s, size_t pos) {
    return (uint32_t(uint8_t(s[pos])) << 24) | (uint32_t(uint8_t(s[pos + 1])) << 16) |
           (uint32_t(uint8_t(s[pos + 2])) << 8) | uint32_t(uint8_t(s[pos + 3]));
}

std::vector<Chunk> chunks_of(const std::string& png) {
    std::vector<Chunk> out;
    for (size_t pos = 8; pos + 12 <= png.size();) {
        const uint32_t len = be32(png, pos);
        const std::string type = png.substr(pos + 4, 4), data = png.substr(pos + 8, len);
        const uLong crc = crc32(crc32(0L, reinterpret_cast<const Bytef*>(type.data()), 4),
                                reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
        out.push_back({type, data, crc == be32(png, pos + 8 + len)});
        pos += 12 + len;
    }
    return out;
}

std::string make_chunk(const std::string& type, const std::string& data) {
    std::string out;
    auto put32 = [&](uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xFF);
    };
    put32(static_cast<uint32_t>(data.size()));
    out += type + data;
    put32(static_cast<uint32_t>(crc32(crc32(0L, reinterpret_cast<const Bytef*>(type.data()), 4),
                                      reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()))));
    return out;
}

std::string deflate(const std::string& s) {
    uLongf size = compressBound(s.size());
    std::string out(size, '\0');
    compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(s.data()), s.size());
    out.resize(size);
    return out;
}

// Inserts raw chunks just before IEND.
std::string with_chunks_before_iend(const std::string& png, const std::string& chunks) {
    const size_t iend = png.size() - 12;
    EXPECT_EQ(png.substr(iend + 4, 4), "IEND");
    return png.substr(0, iend) + chunks + png.substr(iend);
}

}  // namespace

TEST(PngMetadata, ChunkLayoutAndCrcs) {
    const auto dir = test::temp_dir("png-layout");
    ImageMetadata meta;
    meta.text["parameters"] = "masterpiece, 1girl\nSteps: 28, Seed: 7";  // pure ASCII -> tEXt only
    meta.text["precision-studio"] = R"({"vae":"fp32","prompt":"桜 🌸"})";
    write_image((dir / "a.png").string(), ImageF(16, 8, 3, 0.3f), ImageFormat::PNG8, meta);

    const auto chunks = chunks_of(read_bytes(dir / "a.png"));
    ASSERT_GE(chunks.size(), 5u);
    EXPECT_EQ(chunks.front().type, "IHDR");
    EXPECT_EQ(chunks.back().type, "IEND");
    int text = 0, itxt = 0, first_idat = -1, last_text = -1;
    for (size_t i = 0; i < chunks.size(); ++i) {
        EXPECT_TRUE(chunks[i].crc_ok) << chunks[i].type;
        if (chunks[i].type == "IDAT" && first_idat < 0) first_idat = static_cast<int>(i);
        if (chunks[i].type == "tEXt") {
            ++text;
            EXPECT_EQ(chunks[i].data, std::string("parameters\0", 11) + meta.text["parameters"]);
        }
        if (chunks[i].type == "iTXt") {
            ++itxt;
            const std::string& d = chunks[i].data;
            const size_t nul = d.find('\0');
            const std::string key = d.substr(0, nul);
            EXPECT_EQ(d.substr(nul, 5), std::string("\0\0\0\0\0", 5));  // uncompressed, no language
            EXPECT_EQ(d.substr(nul + 5), meta.text[key]);
        }
        if (chunks[i].type == "tEXt" || chunks[i].type == "iTXt") last_text = static_cast<int>(i);
    }
    EXPECT_EQ(text, 1);
    EXPECT_EQ(itxt, 1);  // "parameters" is written once, not as tEXt and iTXt
    EXPECT_LT(last_text, first_idat);  // readers that stop at the first IDAT still see the text

    // A non-ASCII "parameters" goes into one iTXt chunk, with no Latin-1 tEXt copy.
    ImageMetadata utf8;
    utf8.text["parameters"] = "少女, 笑顔";
    write_image((dir / "b.png").string(), ImageF(4, 4, 3, 0.3f), ImageFormat::PNG16, utf8);
    int b_text = 0;
    int b_itxt = 0;
    for (const auto& c : chunks_of(read_bytes(dir / "b.png"))) {
        b_text += c.type == "tEXt";
        b_itxt += c.type == "iTXt";
    }
    EXPECT_EQ(b_text, 0);
    EXPECT_EQ(b_itxt, 1);
    EXPECT_EQ(read_image_metadata((dir / "b.png").string()).text.at("parameters"), "少女, 笑顔");
    test::remove_tree(dir);
}

TEST(PngMetadata, ReadsForeignTextChunks) {
    const auto dir = test::temp_dir("png-foreign");
    write_image((dir / "plain.png").string(), ImageF(4, 4, 3, 0.5f), ImageFormat::PNG8, {});
    std::string chunks;
    chunks += make_chunk("tEXt", "Comment\0caf\xe9"s);  // Latin-1 é
    chunks += make_chunk("tEXt", "Title\0UTF-8 \xe2\x9c\x93"s);  // UTF-8 in tEXt (common)
    chunks += make_chunk("zTXt", "Description\0\0"s + deflate("zipped text"));
    chunks += make_chunk("tEXt", "parameters\0old"s);
    chunks += make_chunk("iTXt", "parameters\0\0\0ja\0\0"s + "新しい 🎨");
    chunks += make_chunk("iTXt", "workflow\0\1\0\0\0"s + deflate(R"({"nodes":[]})"));
    std::string bad = make_chunk("tEXt", "Broken\0x"s);
    bad[bad.size() - 1] ^= 0x55;  // corrupt CRC: skipped, not fatal
    write_bytes(dir / "foreign.png", with_chunks_before_iend(read_bytes(dir / "plain.png"), chunks + bad));

    const auto text = read_image_metadata((dir / "foreign.png").string()).text;
    EXPECT_EQ(text.at("Comment"), "caf\xc3\xa9");
    EXPECT_EQ(text.at("Title"), "UTF-8 \xe2\x9c\x93");
    EXPECT_EQ(text.at("Description"), "zipped text");
    EXPECT_EQ(text.at("parameters"), "新しい 🎨");  // iTXt wins over tEXt
    EXPECT_EQ(text.at("workflow"), R"({"nodes":[]})");
    EXPECT_EQ(text.count("Broken"), 0u);
    EXPECT_EQ(read_image((dir / "foreign.png").string()).width, 4);  // pixels unaffected
    test::remove_tree(dir);
}

TEST(PngMetadata, CorruptFilesGiveClearErrors) {
    const auto dir = test::temp_dir("png-corrupt");
    ImageF img(64, 64, 3);
    for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<float>((i * 7919) % 251) / 250.0f;
    write_image((dir / "good.png").string(), img, ImageFormat::PNG8, {});
    const std::string good = read_bytes(dir / "good.png");

    write_bytes(dir / "truncated.png", good.substr(0, good.size() / 2));
    write_bytes(dir / "garbage.png", "this is not an image at all");
    std::string flipped = good;
    flipped[good.size() / 2] ^= 0xFF;  // damage inside the compressed pixel data
    write_bytes(dir / "flipped.png", flipped);

    for (const char* name : {"truncated.png", "garbage.png", "flipped.png", "missing.png"}) {
        SCOPED_TRACE(name);
        const std::string path = (dir / name).string();
        try {
            read_image(path);
            FAIL() << "expected ImageReadError";
        } catch (const ImageReadError& e) {
            EXPECT_EQ(e.path(), path);
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
        }
    }
    EXPECT_THROW(read_image_metadata((dir / "truncated.png").string()), ImageReadError);
    EXPECT_THROW(read_image_metadata((dir / "garbage.png").string()), ImageReadError);
    EXPECT_THROW(read_image_metadata((dir / "missing.png").string()), ImageReadError);
    test::remove_tree(dir);
}
