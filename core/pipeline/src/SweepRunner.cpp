#include "studio/SweepRunner.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "studio/Errors.h"
#include "studio/Metrics.h"
#include "studio/demo/AttributeProbe.h"
#include "studio/demo/CharacterAttributes.h"

namespace studio {

namespace {
using Clock = std::chrono::steady_clock;

double stage_seconds(const RunReport& r, const std::string& stage) {
    for (const auto& t : r.timings)
        if (t.stage == stage) return t.seconds;
    return 0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// What a report says that a table reader must not miss.
std::vector<std::string> findings_of(const RunReport& r) {
    std::vector<std::string> out;
    auto add = [&](const std::string& s) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    };
    if (!r.first_nonfinite_stage.empty()) add("non-finite at " + r.first_nonfinite_stage);
    if (r.black_image) add("black image");
    if (r.vae_fallback_used) add("VAE re-decoded in fp32");
    for (const auto& m : r.modules)
        if (m.mismatch) add(to_string(m.module) + ": " + m.note);
    for (const auto& w : r.warnings)
        if (w.rfind("non-finite values first appeared", 0) != 0 && w.rfind("the image is black", 0) != 0) add(w);
    return out;
}

struct Reference {
    ImageF image;
    std::shared_ptr<StepTrajectory> trajectory;
};
}  // namespace

SweepResults run_sweep(Pipeline& pipeline, const SweepRequest& req, const SweepResults& resume_from,
                       const SweepCallbacks& cb, const CancelToken& cancel) {
    const auto& set = req.settings;
    if (req.configs.empty() || !req.configs.front().reference())
        throw ConfigError("a sweep starts with its all-fp32 reference configuration");
    if (set.prompts.empty() || set.seeds.empty()) throw ConfigError("a sweep needs at least one prompt and one seed");
    if (set.runs < 1) throw ConfigError("--runs must be at least 1");

    SweepResults res = resume_from;
    res.settings = set;
    res.configs = req.configs;
    res.complete = false;

    // Work left, in images, for the progress bar and its ETA.
    int total = 0;
    for (const auto& c : req.configs) {
        for (size_t p = 0; p < set.prompts.size(); ++p)
            for (uint64_t seed : set.seeds)
                if (!res.find_row(c.name, static_cast<int>(p), seed)) total += set.runs;
        if (set.samples > 0 && !res.find_accuracy(c.name)) total += set.samples;
    }
    int done = 0;
    const auto t0 = Clock::now();
    auto report_progress = [&](const std::string& config, const std::string& what) {
        if (!cb.on_progress) return;
        SweepProgress p{done, total, std::chrono::duration<double>(Clock::now() - t0).count(), -1, config, what};
        if (done > 0) p.eta_s = p.elapsed_s / done * (total - done);
        cb.on_progress(p);
    };

    std::map<std::pair<int, uint64_t>, Reference> references;
    for (const auto& config : req.configs) {
        // Each configuration loads only its own models: its peak memory is its own.
        pipeline.release_all();
        GenerationParams params = req.base;
        params.precision = config.precision;
        params.preview = false;
        for (size_t p = 0; p < set.prompts.size(); ++p) {
            for (uint64_t seed : set.seeds) {
                const auto key = std::make_pair(static_cast<int>(p), seed);
                const bool have_row = res.find_row(config.name, key.first, seed) != nullptr;
                // A resumed sweep replays a finished reference only when some configuration still needs it.
                const bool others_missing = std::any_of(req.configs.begin() + 1, req.configs.end(), [&](const SweepConfig& c) {
                    return !res.find_row(c.name, key.first, seed);
                });
                if (have_row && !(config.reference() && others_missing)) continue;
                params.prompt = set.prompts[p];
                params.seed = seed;
                SweepRow row;
                row.config = config.name;
                row.precision = config.precision.to_string();
                row.prompt_index = key.first;
                row.seed = seed;
                row.reference = config.reference();
                std::vector<double> enc, smp, dec;
                RunResult first;
                auto trajectory = std::make_shared<StepTrajectory>();
                for (int run = 0; run < (have_row ? 1 : set.runs); ++run) {
                    report_progress(config.name, "prompt " + std::to_string(p + 1) + ", seed " + std::to_string(seed) +
                                                     ", run " + std::to_string(run + 1) + "/" + std::to_string(set.runs));
                    JobCallbacks job;
                    if (run == 0) record_trajectory(job, trajectory);
                    const RunResult result = pipeline.run(params, job, cancel);
                    if (!have_row) ++done;
                    enc.push_back(stage_seconds(result.report, "encode"));
                    smp.push_back(stage_seconds(result.report, "sample"));
                    dec.push_back(stage_seconds(result.report, "decode"));
                    row.peak_memory_bytes = std::max(row.peak_memory_bytes, result.report.peak_memory_bytes);
                    row.memory_kind = result.report.memory_kind;
                    if (run == 0) {
                        first = result;
                        first.trajectory = trajectory;
                        row.findings = findings_of(result.report);
                        for (const auto& m : result.report.modules) row.numerics[to_string(m.module)] = m.numerics;
                        if (res.device_name.empty()) res.device_name = result.report.device_name;
                    }
                }
                if (config.reference()) {
                    references[key] = Reference{first.image, trajectory};
                    if (have_row) continue;  // replayed only to compare the others against (resume)
                }
                const Reference& ref = references.at(key);
                const auto m = compare_images(ref.image, first.image, req.threshold);
                row.psnr = m.psnr;
                row.ssim = m.ssim;
                row.max_abs = m.max_abs;
                row.mean_abs = m.mean_abs;
                row.divergence = trajectory_divergence(*ref.trajectory, *trajectory);
                row.runs = set.runs;
                row.encode_s = median(enc);
                row.sample_s = median(smp);
                row.decode_s = median(dec);
                row.image_s = row.encode_s + row.sample_s + row.decode_s;
                res.rows.push_back(row);
                if (cb.on_run) cb.on_run(row, first);
                if (cb.on_update) cb.on_update(res);
            }
        }
        if (set.samples > 0 && !res.find_accuracy(config.name)) {
            demo::AttributeTally tally;
            double seconds = 0;
            for (int i = 0; i < set.samples; ++i) {
                report_progress(config.name, "sample " + std::to_string(i + 1) + "/" + std::to_string(set.samples));
                const uint64_t seed = set.sample_seed + static_cast<uint64_t>(i);
                const demo::Scene scene = demo::random_scene(seed);
                GenerationParams sp = params;
                sp.prompt = demo::scene_prompt(scene, {true, 0.0});
                sp.seed = seed;
                const auto result = pipeline.run(sp, {}, cancel);
                tally.add(demo::check_attributes(result.image, scene));
                seconds += result.report.total_seconds;
                ++done;
            }
            SweepAccuracy acc;
            acc.config = config.name;
            acc.samples = set.samples;
            acc.image_s = seconds / set.samples;
            for (auto a : demo::kAllAttributes) acc.counts[demo::to_string(a)] = {tally.correct_of(a), tally.total_of(a)};
            res.accuracy.push_back(acc);
            if (cb.on_update) cb.on_update(res);
        }
    }
    res.complete = true;
    report_progress("", "done");
    if (cb.on_update) cb.on_update(res);
    return res;
}

}  // namespace studio
