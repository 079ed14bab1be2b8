// Export/import of every format: pixels within quantisation, metadata byte-exact, atomic writes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "AtomicFile.h"
#include "TestSupport.h"
#include "studio/ImageIO.h"
#include "studio/Metrics.h"

using namespace studio;
namespace fs = std::filesystem;

namespace {

ImageF gradient(int w, int h) {
    ImageF img(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            img.at(x, y, 0) = static_cast<float>(x) / (w - 1);
            img.at(x, y, 1) = static_cast<float>(y) / (h - 1);
            img.at(x, y, 2) = 0.5f + 0.4f * std::sin(0.2f * x + 0.3f * y);
        }
    return img;
}

// A Chinese + Japanese + emoji prompt and a JSON record, as the pipeline writes them.
ImageMetadata provenance() {
    ImageMetadata m;
    m.text["parameters"] =
        "<character_1><n>初音ミク</n><appearance>青い髪, ツインテール</appearance></character_1> "
        "一个女孩在樱花树下微笑 🌸😀\nNegative prompt: 低质量\nSteps: 28, Sampler: Euler, CFG scale: 4.5, Seed: 42";
    m.text["precision-studio"] =
        R"({"precision":{"text":"bf16","clip":"bf16","dit":"bf16","vae":"fp32"},"prompt":"夕焼けの海 🌊","nan_fallbacks":[]})";
    return m;
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
    return out;
}

struct FormatCase {
    const char* file;
    ImageFormat format;
    double max_error;  // pixel tolerance after the round trip
};

}  // namespace

TEST(ImageIO, FormatFromPath) {
    EXPECT_EQ(format_from_path("a/b.png"), ImageFormat::PNG8);
    EXPECT_EQ(format_from_path("a/b.PNG", 16), ImageFormat::PNG16);
    EXPECT_EQ(format_from_path("x.tif"), ImageFormat::TIFF16);
    EXPECT_EQ(format_from_path("x.tiff"), ImageFormat::TIFF16);
    EXPECT_EQ(format_from_path("x.exr"), ImageFormat::EXR);
    EXPECT_EQ(format_from_path("x.jpg"), ImageFormat::JPEG);
    EXPECT_EQ(format_from_path("x.JPEG"), ImageFormat::JPEG);
    EXPECT_THROW(format_from_path("x.bmp"), ExportError);
    EXPECT_THROW(format_from_path("noext"), ExportError);
}

TEST(ImageIO, EveryFormatRoundTripsPixelsAndMetadata) {
    const auto dir = test::temp_dir("imageio-roundtrip");
    const ImageF img = gradient(67, 45);
    const ImageMetadata meta = provenance();
    const FormatCase cases[] = {
        {"a.png", ImageFormat::PNG8, 0.5 / 255 + 1e-6},
        {"b.png", ImageFormat::PNG16, 0.5 / 65535 + 1e-7},
        {"c.tif", ImageFormat::TIFF16, 0.5 / 65535 + 1e-7},
        {"d.exr", ImageFormat::EXR, 0.0},
        {"e.jpg", ImageFormat::JPEG, 0.15},  // lossy (measured 0.077); mean and PSNR checked below
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        const std::string path = (dir / c.file).string();
        write_image(path, img, c.format, meta);
        const ImageF back = read_image(path);
        ASSERT_EQ(back.width, img.width);
        ASSERT_EQ(back.height, img.height);
        ASSERT_EQ(back.channels, 3);
        const DiffMetrics m = compare_images(img, back);
        EXPECT_LE(m.max_abs, c.max_error);
        if (c.format == ImageFormat::JPEG) {
            EXPECT_LT(m.mean_abs, 0.015);  // measured 0.0082
            EXPECT_GT(m.psnr, 33.0);       // measured 38.3 dB
        }
        const ImageMetadata got = read_image_metadata(path);
        for (const auto& [key, value] : meta.text) {
            ASSERT_TRUE(got.text.count(key)) << key;
            EXPECT_EQ(got.text.at(key), value) << key;  // byte-exact UTF-8
        }
    }
    // Nothing but the five finished files (no temporaries) is left.
    EXPECT_EQ(files_in(dir).size(), 5u);
    test::remove_tree(dir);
}

TEST(ImageIO, GreyAndAlphaInputsExportAsRgb) {
    const auto dir = test::temp_dir("imageio-channels");
    ImageF grey(5, 4, 1, 0.25f);
    write_image((dir / "g.png").string(), grey, ImageFormat::PNG16, {});
    const ImageF g = read_image((dir / "g.png").string());
    ASSERT_EQ(g.channels, 3);
    EXPECT_NEAR(g.at(3, 2, 0), 0.25f, 1e-4);
    EXPECT_NEAR(g.at(3, 2, 2), 0.25f, 1e-4);

    ImageF rgba(3, 3, 4, 0.0f);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 3; ++x) rgba.at(x, y, 0) = 0.6f, rgba.at(x, y, 3) = 0.5f;
    write_image((dir / "a.exr").string(), rgba, ImageFormat::EXR, {});
    const ImageF a = read_image((dir / "a.exr").string());
    EXPECT_FLOAT_EQ(a.at(1, 1, 0), 0.6f);  // alpha dropped, colour not premultiplied
    test::remove_tree(dir);
}

TEST(ImageIO, NonFinitePixelsBecomeMagentaInIntegerFormats) {
    const auto dir = test::temp_dir("imageio-nan");
    ImageF img(4, 4, 3, 0.5f);
    img.at(2, 1, 1) = std::numeric_limits<float>::quiet_NaN();
    write_image((dir / "n.png").string(), img, ImageFormat::PNG8, {});
    const ImageF back = read_image((dir / "n.png").string());
    EXPECT_FLOAT_EQ(back.at(2, 1, 0), 1.0f);
    EXPECT_FLOAT_EQ(back.at(2, 1, 1), 0.0f);
    EXPECT_FLOAT_EQ(back.at(2, 1, 2), 1.0f);
    EXPECT_NEAR(back.at(0, 0, 1), 128.0f / 255, 1e-6);
    test::remove_tree(dir);
}

TEST(ImageIO, OverwriteReplacesTheFileWhole) {
    const auto dir = test::temp_dir("imageio-overwrite");
    const std::string path = (dir / "x.png").string();
    write_image(path, ImageF(8, 8, 3, 0.1f), ImageFormat::PNG8, provenance());
    write_image(path, ImageF(6, 5, 3, 0.9f), ImageFormat::PNG8, {});
    const ImageF back = read_image(path);
    EXPECT_EQ(back.width, 6);
    EXPECT_NEAR(back.at(0, 0, 0), 0.9f, 0.5 / 255 + 1e-6);
    EXPECT_TRUE(read_image_metadata(path).text.empty());
    EXPECT_EQ(files_in(dir).size(), 1u);
    test::remove_tree(dir);
}

TEST(ImageIO, UnwritablePathThrowsAndLeavesNothing) {
    const auto dir = test::temp_dir("imageio-unwritable");
    const ImageF img = gradient(8, 8);
    const std::string missing = (dir / "no-such-folder" / "x.png").string();
    try {
        write_image(missing, img, ImageFormat::PNG8, provenance());
        FAIL() << "expected ExportError";
    } catch (const ExportError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(missing), std::string::npos) << what;
        EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
    }
    // A regular file used as a folder.
    std::ofstream(dir / "plain.txt") << "x";
    EXPECT_THROW(write_image((dir / "plain.txt" / "x.exr").string(), img, ImageFormat::EXR, {}), ExportError);
    // A folder as the target.
    fs::create_directories(dir / "sub");
    EXPECT_THROW(write_image((dir / "sub").string(), img, ImageFormat::TIFF16, {}), ExportError);
    EXPECT_THROW(write_image("", img, ImageFormat::PNG8, {}), ExportError);
    EXPECT_EQ(files_in(dir).size(), 2u);  // plain.txt and sub only
    test::remove_tree(dir);
}

TEST(ImageIO, RejectedExportKeepsThePreviousFile) {
    const auto dir = test::temp_dir("imageio-rejected");
    const std::string path = (dir / "keep.jpg").string();
    write_image(path, ImageF(4, 4, 3, 0.5f), ImageFormat::JPEG, {});
    const auto size_before = fs::file_size(path);
    // Past libjpeg's 65500-pixel limit: refused up front (the encoder itself would exit the process).
    EXPECT_THROW(write_image(path, ImageF(70000, 1, 3, 0.5f), ImageFormat::JPEG, provenance()), ExportError);
    EXPECT_EQ(fs::file_size(path), size_before);
    EXPECT_EQ(read_image(path).width, 4);
    EXPECT_EQ(files_in(dir).size(), 1u);
    test::remove_tree(dir);
}

// The mechanism behind "a failed export never leaves a half file".
TEST(AtomicFile, OnlyCommitReplacesTheTarget) {
    const auto dir = test::temp_dir("imageio-atomic");
    const fs::path target = dir / "out.png";
    std::ofstream(target) << "old";
    {
        AtomicFile f(target.string());
        EXPECT_TRUE(fs::exists(f.temp_path()));
        EXPECT_EQ(fs::path(f.temp_path()).parent_path(), dir);
        f.write_temp({'h', 'a', 'l', 'f'});
        EXPECT_EQ(f.read_temp().size(), 4u);
        // Destroyed without commit(), as when encoding throws.
    }
    EXPECT_EQ(files_in(dir).size(), 1u);
    std::ifstream in(target);
    std::string content;
    in >> content;
    EXPECT_EQ(content, "old");
    {
        AtomicFile f(target.string());
        f.write_temp({'n', 'e', 'w'});
        f.commit();
    }
    std::ifstream in2(target);
    in2 >> content;
    EXPECT_EQ(content, "new");
    EXPECT_EQ(files_in(dir).size(), 1u);
    test::remove_tree(dir);
}

TEST(ImageIO, InvalidInputsAreRejected) {
    const auto dir = test::temp_dir("imageio-invalid");
    EXPECT_THROW(write_image((dir / "e.png").string(), ImageF(), ImageFormat::PNG8, {}), ExportError);
    ImageF broken(4, 4, 3);
    broken.pixels.resize(5);
    EXPECT_THROW(write_image((dir / "b.png").string(), broken, ImageFormat::PNG8, {}), ExportError);
    ImageMetadata bad_key;
    bad_key.text["日本語"] = "PNG keywords are Latin-1";
    EXPECT_THROW(write_image((dir / "k.png").string(), ImageF(2, 2), ImageFormat::PNG8, bad_key), ExportError);
    ImageMetadata reserved;
    reserved.text["compression"] = "none";
    EXPECT_THROW(write_image((dir / "r.exr").string(), ImageF(2, 2), ImageFormat::EXR, reserved), ExportError);
    ImageMetadata huge;
    huge.text["workflow"] = std::string(70000, 'w');
    EXPECT_THROW(write_image((dir / "h.jpg").string(), ImageF(2, 2), ImageFormat::JPEG, huge), ExportError);
    EXPECT_THROW(write_image((dir / "h.tif").string(), ImageF(2, 2), ImageFormat::TIFF16, huge), ExportError);
    write_image((dir / "h.png").string(), ImageF(2, 2), ImageFormat::PNG8, huge);  // PNG has no such limit
    EXPECT_EQ(read_image_metadata((dir / "h.png").string()).text.at("workflow"), huge.text["workflow"]);
    fs::remove(dir / "h.png");
    ImageMetadata bad_utf8;
    bad_utf8.text["parameters"] = std::string("\xff\xfe broken");
    EXPECT_THROW(write_image((dir / "u.tif").string(), ImageF(2, 2), ImageFormat::TIFF16, bad_utf8), ExportError);
    EXPECT_TRUE(files_in(dir).empty());
    test::remove_tree(dir);
}
