// `eval-attributes`: generates N random demo scenes from their XML prompts and reads the
// attributes back with the probe: how often the image follows the prompt, per attribute.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "CliSupport.h"
#include "Commands.h"
#include "studio/Errors.h"
#include "studio/demo/AttributeProbe.h"
#include "studio/demo/CharacterAttributes.h"

namespace fs = std::filesystem;

namespace studio::cli {

namespace {

struct EvalOptions {
    std::string model, precision = "fp32", device = "cpu", json, csv, images;
    int samples = 200, steps = 20, size = 256;
    uint64_t seed = 0;
    float cfg = 4.0f, shift = 6.0f;
    double two_character_fraction = 0.2;
};

std::string expression_name(demo::Expression e) { return demo::expression_tags()[static_cast<size_t>(e)]; }

// One CSV/JSON record: what was asked, what was read.
nlohmann::json sample_record(int index, uint64_t seed, const demo::Scene& scene, const demo::SceneReading& r,
                             const demo::AttributeCheck& c, double seconds) {
    nlohmann::json chars = nlohmann::json::array();
    for (size_t i = 0; i < scene.characters.size(); ++i) {
        const auto& want = scene.characters[i];
        const auto& got = r.characters[i];
        chars.push_back({{"hair", demo::hair_colors()[want.hair_color].tag},
                         {"hair_read", demo::hair_colors()[got.hair_color].tag},
                         {"eyes", demo::eye_colors()[want.eye_color].tag},
                         {"eyes_read", demo::eye_colors()[got.eye_color].tag},
                         {"expression", expression_name(want.expression)},
                         {"expression_read", expression_name(got.expression)}});
    }
    return {{"index", index},
            {"seed", seed},
            {"characters", chars},
            {"background", demo::background_colors()[scene.background_color].tag},
            {"background_read", demo::background_colors()[r.background_color].tag},
            {"hair_correct", c.hair_correct},
            {"eyes_correct", c.eyes_correct},
            {"expression_correct", c.expression_correct},
            {"background_correct", c.background},
            {"separation", c.two_characters ? nlohmann::json(c.separation) : nlohmann::json(nullptr)},
            {"seconds", seconds}};
}

std::string csv_of(const nlohmann::json& samples) {
    std::ostringstream s;
    s << "index,seed,characters,hair,hair_read,eyes,eyes_read,expression,expression_read,background,background_read,"
         "hair_correct,eyes_correct,expression_correct,background_correct,separation,seconds\n";
    for (const auto& r : samples) {
        auto join = [&](const char* key) {
            std::string out;
            for (const auto& c : r["characters"]) out += (out.empty() ? "" : "|") + c[key].get<std::string>();
            return out;
        };
        s << r["index"] << "," << r["seed"] << "," << r["characters"].size() << "," << join("hair") << ","
          << join("hair_read") << "," << join("eyes") << "," << join("eyes_read") << "," << join("expression") << ","
          << join("expression_read") << "," << r["background"].get<std::string>() << ","
          << r["background_read"].get<std::string>() << "," << r["hair_correct"] << "," << r["eyes_correct"] << ","
          << r["expression_correct"] << "," << (r["background_correct"].get<bool>() ? 1 : 0) << ","
          << (r["separation"].is_null() ? std::string() : r["separation"].get<bool>() ? "1" : "0") << ","
          << r["seconds"] << "\n";
    }
    return s.str();
}

}  // namespace

Runner add_eval_attributes_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("eval-attributes",
                                   "Generate random demo scenes and score hair, eyes, expression, background and "
                                   "two-character separation with the attribute probe");
    auto o = std::make_shared<EvalOptions>();
    cmd->add_option("--model", o->model, "Model folder (e.g. resources/models/newbie-demo)")->required();
    cmd->add_option("--precision", o->precision, "fp32 | bf16 | mixed | text=..,clip=..,dit=..,vae=..");
    cmd->add_option("--samples", o->samples, "Number of scenes")->check(CLI::Range(1, 100000));
    cmd->add_option("--seed", o->seed, "First scene seed (scene i uses seed + i, also for its noise)");
    cmd->add_option("--steps", o->steps, "Sampling steps")->check(CLI::Range(1, 1000));
    cmd->add_option("--cfg", o->cfg, "CFG scale");
    cmd->add_option("--shift", o->shift, "Time shift of the schedule");
    cmd->add_option("--size", o->size, "Image side in pixels (multiple of 16)");
    cmd->add_option("--two-character-fraction", o->two_character_fraction, "Share of two-character scenes");
    cmd->add_option("--device", o->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd->add_option("--json", o->json, "Write the accuracies and every sample as JSON");
    cmd->add_option("--csv", o->csv, "Write one row per sample as CSV");
    cmd->add_option("--images", o->images, "Folder to save the generated images in");
    return [o]() {
        GenerationParams base;
        base.model_dir = o->model;
        base.steps = o->steps;
        base.cfg_scale = o->cfg;
        base.shift = o->shift;
        base.width = base.height = o->size;
        base.preview = false;
        base.precision = PrecisionConfig::parse(o->precision, ValueSource::CommandLine);
        parse_device(o->device, base.device);
        if (!o->images.empty()) {
            std::error_code ec;
            fs::create_directories(o->images, ec);
            if (ec) throw ExportError("cannot create '" + o->images + "': " + ec.message());
        }

        // The pipeline's CUDA memory statistics need an initialised allocator on the first run.
        if (base.device == DeviceKind::CUDA && Pipeline::cuda_available()) torch::zeros({1}, torch::Device(torch::kCUDA, 0));
        Pipeline pipeline;
        auto cancel = install_interrupt_handler();
        demo::AttributeTally tally;
        nlohmann::json samples = nlohmann::json::array();
        double total_seconds = 0;
        for (int i = 0; i < o->samples; ++i) {
            const uint64_t seed = o->seed + static_cast<uint64_t>(i);
            const demo::Scene scene = demo::random_scene(seed, o->two_character_fraction);
            GenerationParams p = base;
            p.prompt = demo::scene_prompt(scene, {true, 0.0});
            p.seed = seed;
            const auto result = pipeline.run(p, {}, cancel);
            const auto reading = demo::read_scene(result.image, scene);
            const auto check = demo::check_attributes(reading, scene);
            tally.add(check);
            total_seconds += result.report.total_seconds;
            samples.push_back(sample_record(i, seed, scene, reading, check, result.report.total_seconds));
            if (!o->images.empty()) {
                char name[32];
                std::snprintf(name, sizeof(name), "sample_%04d.ppm", i);
                write_output_image((fs::path(o->images) / name).string(), result.image, {{"prompt", p.prompt}});
            }
            std::cerr << "[" << i + 1 << "/" << o->samples << "] " << demo::scene_labels(scene) << "  hair "
                      << check.hair_correct << "/" << check.characters << " eyes " << check.eyes_correct << "/"
                      << check.characters << " expr " << check.expression_correct << "/" << check.characters
                      << " bg " << (check.background ? 1 : 0) << "  " << result.report.total_seconds << " s\n";
        }

        nlohmann::json accuracy;
        std::printf("%-12s %9s %9s\n", "attribute", "correct", "accuracy");
        for (auto a : demo::kAllAttributes) {
            const double acc = tally.accuracy(a);
            const std::string name = demo::to_string(a);
            accuracy[name] = {{"correct", tally.correct_of(a)}, {"total", tally.total_of(a)},
                              {"accuracy", acc >= 0 ? nlohmann::json(acc) : nlohmann::json(nullptr)}};
            if (acc >= 0) std::printf("%-12s %4d/%-4d %8.1f%%\n", name.c_str(), tally.correct_of(a), tally.total_of(a), 100 * acc);
            else std::printf("%-12s %9s %9s\n", name.c_str(), "-", "n/a");
        }
        std::printf("%d images, %.2f s per image (%s, %s, %d steps, cfg %.1f)\n", o->samples, total_seconds / o->samples,
                    base.precision.to_string().c_str(), o->device.c_str(), o->steps, o->cfg);
        if (!o->json.empty()) {
            const nlohmann::json j{{"model", o->model},
                                   {"precision", base.precision.to_string()},
                                   {"device", o->device},
                                   {"samples", o->samples},
                                   {"seed", o->seed},
                                   {"steps", o->steps},
                                   {"cfg", o->cfg},
                                   {"shift", o->shift},
                                   {"size", o->size},
                                   {"seconds_per_image", total_seconds / o->samples},
                                   {"accuracy", accuracy},
                                   {"per_sample", samples}};
            write_text_file(o->json, j.dump(2) + "\n");
        }
        if (!o->csv.empty()) write_text_file(o->csv, csv_of(samples));
        return 0;
    };
}

}  // namespace studio::cli
