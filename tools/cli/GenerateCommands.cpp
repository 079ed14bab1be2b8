// `generate` (one run) and `compare` (two precision configurations, same seed and noise).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "CliSupport.h"
#include "Commands.h"
#include "studio/Divergence.h"
#include "studio/Metrics.h"
#include "studio/Provenance.h"

namespace fs = std::filesystem;

namespace studio::cli {

namespace {
void print_summary(const std::string& label, const RunReport& r) {
    std::cerr << label << ": " << r.total_seconds << " s, peak " << r.peak_memory_bytes / 1048576.0 << " MiB (" << r.memory_kind << ")"
              << (r.memory_policy.empty() ? "" : ", text encoders: " + r.memory_policy) << "\n";
    for (const auto& m : r.modules)
        std::cerr << "  " << to_string(m.module) << ": asked " << m.requested << ", ran " << m.numerics
                  << (m.mismatch ? "  MISMATCH: " + m.note : "") << "\n";
    if (r.prompt_layout != "as typed") std::cerr << "  prompt layout: " << r.prompt_layout << "\n";
    for (const auto& w : r.warnings) std::cerr << "  warning: " << w << "\n";
    print_findings(r, !r.params.inject.empty());
}

nlohmann::json metrics_json(const DiffMetrics& m) {
    return {{"psnr_db", std::isfinite(m.psnr) ? nlohmann::json(m.psnr) : nlohmann::json("inf")},
            {"ssim", m.ssim},
            {"max_abs", m.max_abs},
            {"max_at", {m.max_x, m.max_y}},
            {"mean_abs", m.mean_abs},
            {"rmse", m.rmse},
            {"threshold", m.threshold},
            {"percent_over_threshold", 100.0 * m.fraction_over},
            {"nonfinite_pixels", m.nonfinite}};
}
}  // namespace

Runner add_generate_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("generate", "Generate one image");
    auto o = std::make_shared<GenerationOptions>();
    o->precision.clear();
    auto out = std::make_shared<std::string>();
    auto report_path = std::make_shared<std::string>();
    add_generation_options(*cmd, *o, true);
    cmd->add_option("--out", *out, "Output image (.png, .tif, .exr, .jpg; .ppm/.pfm always)")->required();
    cmd->add_option("--report", *report_path, "Write the RunReport as JSON");
    return [o, out, report_path]() {
        const auto params = make_params(*o, o->precision);
        Pipeline pipeline;
        auto cancel = install_interrupt_handler();
        const auto result = run_pipeline(pipeline, params, terminal_progress("generate", !o->no_progress), cancel);
        write_output_image(*out, result.image, provenance_text(result.report));
        if (!report_path->empty()) write_text_file(*report_path, result.report.to_json() + "\n");
        print_summary("generate", result.report);
        std::cerr << "wrote " << *out << "\n";
        // 4 only when the final image is still bad (a successful fp32 fallback is a good image).
        return final_image_bad(result.report) ? 4 : 0;
    };
}

Runner add_compare_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("compare", "Run two precision configurations with the same seed and noise and compare them");
    auto o = std::make_shared<GenerationOptions>();
    auto a = std::make_shared<std::string>("fp32");
    auto b = std::make_shared<std::string>("bf16");
    auto dir = std::make_shared<std::string>();
    auto gain = std::make_shared<double>(10.0);
    auto threshold = std::make_shared<double>(1.0 / 255);
    add_generation_options(*cmd, *o, false);
    cmd->add_option("--a", *a, "Precision of run A (default fp32)");
    cmd->add_option("--b", *b, "Precision of run B (default bf16)");
    cmd->add_option("--out-dir", *dir, "Folder for a.png, b.png, diff.png, report.json")->required();
    cmd->add_option("--diff-gain", *gain, "Amplification of |A-B| in diff.png");
    cmd->add_option("--threshold", *threshold, "Pixel counts as different above this |A-B| (0..1)");
    return [o, a, b, dir, gain, threshold]() {
        std::error_code ec;
        fs::create_directories(*dir, ec);
        if (ec) throw ExportError("cannot create output folder '" + *dir + "': " + ec.message());
        Pipeline pipeline;
        auto cancel = install_interrupt_handler();
        const auto pa = make_params(*o, *a);
        const auto pb = make_params(*o, *b);
        // Both trajectories are recorded to show at which step B leaves A's path.
        auto ta = std::make_shared<StepTrajectory>(), tb = std::make_shared<StepTrajectory>();
        auto cba = terminal_progress("A " + pa.precision.to_string(), !o->no_progress);
        auto cbb = terminal_progress("B " + pb.precision.to_string(), !o->no_progress);
        record_trajectory(cba, ta);
        record_trajectory(cbb, tb);
        const auto ra = run_pipeline(pipeline, pa, cba, cancel);
        const auto rb = run_pipeline(pipeline, pb, cbb, cancel);
        const auto metrics = compare_images(ra.image, rb.image, *threshold);
        const auto divergence = divergence_to_json(trajectory_divergence(*ta, *tb));
#if defined(STUDIO_HAVE_IMAGEIO)
        const std::string suffix = ".png";
#else
        const std::string suffix = ".ppm";
#endif
        const nlohmann::json compare{{"a", nlohmann::json::parse(ra.report.to_json(-1))},
                                     {"b", nlohmann::json::parse(rb.report.to_json(-1))},
                                     {"metrics", metrics_json(metrics)},
                                     {"divergence_per_step", divergence},
                                     {"diff_gain", *gain}};
        write_output_image((fs::path(*dir) / ("a" + suffix)).string(), ra.image, provenance_text(ra.report));
        write_output_image((fs::path(*dir) / ("b" + suffix)).string(), rb.image, provenance_text(rb.report));
        write_output_image((fs::path(*dir) / ("diff" + suffix)).string(), difference_heatmap(ra.image, rb.image, *gain),
                           provenance_text(ra.report, nlohmann::json{{"difference_of", "a vs b"},
                                                                     {"gain", *gain},
                                                                     {"divergence_per_step", divergence}}.dump()));
        write_text_file((fs::path(*dir) / "report.json").string(), compare.dump(2) + "\n");
        print_summary("A", ra.report);
        print_summary("B", rb.report);
        std::cout << "PSNR " << metrics.psnr << " dB, SSIM " << metrics.ssim << ", max |A-B| " << metrics.max_abs << " at ("
                  << metrics.max_x << "," << metrics.max_y << "), mean |A-B| " << metrics.mean_abs << ", "
                  << 100.0 * metrics.fraction_over << "% pixels over " << *threshold << "\n";
        return 0;
    };
}

}  // namespace studio::cli
