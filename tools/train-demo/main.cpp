// train-demo: trains the embedded demo model (NewBie's architecture at small sizes) on
// procedurally rendered characters, and exports it as a NewBie model folder.
//   train-demo vae      --checkpoints DIR [--device cuda] [--seconds S] [--plan-seconds P] [--resume]
//   train-demo text+dit --checkpoints DIR ...
//   train-demo all      --checkpoints DIR --vae-plan-seconds A --dit-plan-seconds B --export OUT ...
//   train-demo export   --checkpoints DIR --out resources/models/newbie-demo [--bf16]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "StageCommon.h"
#include "studio/Errors.h"
#include "studio/Logging.h"

using namespace studio;
using namespace studio::demo;

namespace {

struct CommonArgs {
    TrainOptions train;
    std::string device = "cpu";
};

void add_common(CLI::App& cmd, CommonArgs& a) {
    cmd.add_option("--checkpoints", a.train.checkpoints, "Checkpoint folder (created when missing)")->required();
    cmd.add_option("--preset", a.train.preset, "Model sizes for a new folder: demo (256x256) or toy (64x64)")
        ->check(CLI::IsMember({"demo", "toy"}));
    cmd.add_option("--device", a.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd.add_option("--seed", a.train.seed, "Seed of the data stream and the initial weights");
    cmd.add_option("--seconds", a.train.seconds, "Wall-clock budget of this invocation, set-up included (0 = none)");
    cmd.add_option("--batch", a.train.batch, "Batch size (default: the preset's)");
    cmd.add_option("--lr", a.train.lr, "Peak learning rate (default: the preset's)");
    cmd.add_option("--log-every", a.train.log_every, "Log the loss every K steps");
    cmd.add_option("--checkpoint-every", a.train.checkpoint_every, "Save every N steps (and always at the end)");
    cmd.add_flag("--resume", a.train.resume, "Continue from the folder's checkpoint");
    cmd.add_option("--workers", a.train.workers, "Rendering threads (default: cores - 2)");
    cmd.add_option("--threads", a.train.threads, "Torch intra-op threads (default: all cores on CPU, 2 with CUDA)");
    cmd.add_flag("!--no-tf32", a.train.tf32, "Plain fp32 matmuls on CUDA (default: TF32)");
}

void add_plan(CLI::App& cmd, TrainOptions& o) {
    cmd.add_option("--plan-seconds", o.plan_seconds, "Training seconds of the whole stage, across invocations");
    cmd.add_option("--plan-steps", o.plan_steps, "Steps of the whole stage, across invocations");
}

torch::Device parse_device(const std::string& d) {
    if (d == "cuda") {
        if (!torch::cuda::is_available()) throw ConfigError("--device cuda: this build or machine has no CUDA device");
        return torch::Device(torch::kCUDA, 0);
    }
    return torch::Device(torch::kCPU);
}

void print(const char* stage, const StageResult& r) {
    std::cout << stage << ": " << r.steps << " steps, " << r.train_seconds << " s trained, loss " << r.last_loss
              << (r.complete ? ", plan done" : ", plan not done") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    studio::prepare_process_environment();
    CLI::App app{"Trains the embedded demo model on rendered characters and exports it"};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Debug logging");

    CommonArgs vae_args, dit_args, all_args;
    auto* vae = app.add_subcommand("vae", "Train the VAE (encoder + decoder)");
    add_common(*vae, vae_args);
    add_plan(*vae, vae_args.train);
    auto* dit = app.add_subcommand("text+dit", "Train both text encoders and the DiT jointly")->alias("text-dit");
    add_common(*dit, dit_args);
    add_plan(*dit, dit_args.train);

    auto* all = app.add_subcommand("all", "VAE until its plan is done, then text+dit, then export");
    add_common(*all, all_args);
    TrainOptions vae_plan, dit_plan;
    std::string all_export;
    bool all_bf16 = false;
    all->add_option("--vae-plan-seconds", vae_plan.plan_seconds, "VAE training seconds in total");
    all->add_option("--vae-plan-steps", vae_plan.plan_steps, "VAE steps in total");
    all->add_option("--dit-plan-seconds", dit_plan.plan_seconds, "text+dit training seconds in total");
    all->add_option("--dit-plan-steps", dit_plan.plan_steps, "text+dit steps in total");
    all->add_option("--export", all_export, "Export the model folder here at the end");
    all->add_flag("--bf16", all_bf16, "Export bf16 weights");

    ExportOptions export_opts;
    auto* exp = app.add_subcommand("export", "Write the model folder (official NewBie layout)");
    exp->add_option("--checkpoints", export_opts.checkpoints, "Checkpoint folder")->required();
    exp->add_option("--out", export_opts.out, "Model folder to write")->required();
    exp->add_flag("--bf16", export_opts.bf16, "Store bf16 weights (default fp32)");
    SampleOptions sample_opts;
    std::string sample_device = "cpu";
    int sample_threads = 0;
    auto* smp = app.add_subcommand("sample", "Generate random scenes with an exported model and score them with the probe");
    smp->add_option("--model", sample_opts.model, "Exported model folder")->required();
    smp->add_option("--device", sample_device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    smp->add_option("--samples", sample_opts.samples, "Number of scenes");
    smp->add_option("--batch", sample_opts.batch, "Scenes per model call");
    smp->add_option("--seed", sample_opts.seed, "First scene seed");
    smp->add_option("--steps", sample_opts.steps, "Sampling steps");
    smp->add_option("--cfg", sample_opts.cfg, "CFG scale");
    smp->add_option("--shift", sample_opts.shift, "Time shift of the schedule");
    smp->add_option("--size", sample_opts.size, "Image side");
    smp->add_option("--images", sample_opts.images, "Save the images (.ppm) here");
    smp->add_option("--threads", sample_threads, "Torch intra-op threads (default: all cores)");
    CLI11_PARSE(app, argc, argv);

    init_logging({}, true);
    set_log_level(verbose ? LogLevel::Debug : LogLevel::Info);
    try {
        if (vae->parsed()) {
            vae_args.train.device = parse_device(vae_args.device);
            print("vae", run_vae_stage(vae_args.train));
        } else if (dit->parsed()) {
            dit_args.train.device = parse_device(dit_args.device);
            print("text+dit", run_text_dit_stage(dit_args.train));
        } else if (all->parsed()) {
            const Stopwatch wall;
            TrainOptions o = all_args.train;
            o.device = parse_device(all_args.device);
            const double reserve = all_export.empty() ? 0.0 : 20.0;
            auto left = [&] { return o.seconds > 0 ? std::max(1.0, o.seconds - reserve - wall.seconds()) : 0.0; };
            TrainOptions v = o;
            v.plan_seconds = vae_plan.plan_seconds, v.plan_steps = vae_plan.plan_steps, v.seconds = left();
            const auto vr = run_vae_stage(v);
            print("vae", vr);
            if (vr.complete && (o.seconds <= 0 || left() > 60)) {
                TrainOptions d = o;
                d.resume = true;  // the text+dit checkpoint, if any, continues
                d.plan_seconds = dit_plan.plan_seconds, d.plan_steps = dit_plan.plan_steps, d.seconds = left();
                print("text+dit", run_text_dit_stage(d));
            }
            if (!all_export.empty() && std::filesystem::exists(stage_paths(o.checkpoints, "text_dit").weights)) {
                const auto bytes = export_demo_model({o.checkpoints, all_export, all_bf16});
                std::cout << "exported " << all_export << " (" << bytes / 1e6 << " MB of weights)\n";
            }
        } else if (smp->parsed()) {
            sample_opts.device = parse_device(sample_device);
            if (sample_threads > 0) at::set_num_threads(sample_threads);
            const auto r = run_sample_stage(sample_opts);
            for (auto a : kAllAttributes)
                if (r.tally.total_of(a) > 0)
                    std::printf("%-11s %4d/%-4d %6.1f%%\n", to_string(a).c_str(), r.tally.correct_of(a), r.tally.total_of(a),
                                100.0 * r.tally.accuracy(a));
            std::printf("%d images in %.2f s: load %.2f, encode %.2f, sample %.2f, decode %.2f s (batch %d, %d steps, cfg %.1f)\n",
                        sample_opts.samples, r.total_seconds, r.load_seconds, r.encode_seconds, r.sample_seconds,
                        r.decode_seconds, sample_opts.batch, sample_opts.steps, sample_opts.cfg);
        } else if (exp->parsed()) {
            const auto bytes = export_demo_model(export_opts);
            std::cout << "exported " << export_opts.out << " (" << bytes / 1e6 << " MB of weights)\n";
        }
    } catch (const ConfigError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const StudioError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "internal error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
