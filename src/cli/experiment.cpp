// `outlierscope experiment variants`: trains attention variants with one budget and compares their
// outliers, loss and compressed perplexities (docs/experiments.md).
#include <cstdio>
#include <sstream>

#include "cli/command.h"
#include "cli/dist_options.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "experiment/variant_runner.h"
#include "kernels/attention_variant.h"

namespace osc::cli {
namespace {

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

void add_training_options(CLI::App& sub, train::TrainOptions& o) {
  sub.add_option("--data", o.data_dir, "Dataset folder from `outlierscope prepare`")->required();
  sub.add_option("--layers", o.layers, "Transformer blocks")->capture_default_str();
  sub.add_option("--heads", o.heads, "Attention heads")->capture_default_str();
  sub.add_option("--dim", o.dim, "Model width (divisible by --heads)")->capture_default_str();
  sub.add_option("--ctx", o.context, "Context length")->capture_default_str();
  sub.add_option("--batch", o.batch, "Sequences per step")->capture_default_str();
  sub.add_option("--steps", o.steps, "Optimizer steps per variant")->capture_default_str();
  sub.add_option("--lr", o.lr, "Peak learning rate")->capture_default_str();
  sub.add_option("--warmup", o.warmup, "Linear warm-up steps")->capture_default_str();
  sub.add_option("--eval-every", o.eval_every, "Log validation loss every N steps (0: never)")->capture_default_str();
  sub.add_option("--seed", o.seed, "Seed of initialisation and data order (the same for every variant)")
      ->capture_default_str();
  sub.add_option("--threads", o.threads, "Threads (0: OpenMP default)");
}

void add_measure_options(CLI::App& sub, experiment::VariantExperimentOptions& o) {
  sub.add_option("--eval-windows", o.eval_windows, "Validation windows for loss and perplexities")->capture_default_str();
  sub.add_option("--stats-windows", o.stats_windows, "Windows the layer statistics average over")->capture_default_str();
  sub.add_option("--landscape-layer", o.landscape_layer, "Layer of the landscape grid (-1: middle)")->capture_default_str();
  sub.add_flag("!--no-figures", o.figures, "Write the tables only");
  sub.add_option("--title", o.title, "Title of the tables and figures");
}

int run_variants(experiment::VariantExperimentOptions& o, const std::string& variants, double mpi_timeout) {
  o.variants = split_list(variants);
  o.train.quiet = o.train.quiet || global_quiet();
  dist::Session session;  // under mpirun/srun the ranks train each variant together (docs/distributed.md)
  dist::set_wait_limit(mpi_timeout);
  const auto results = experiment::run_variant_experiment(o);
  if (!dist::is_root()) return 0;  // rank 0 reports for the job
  std::printf("%-20s %10s %12s %12s %12s %12s %12s\n", "variant", "val_loss", "ppl", "w8_tensor", "w8_channel",
              "w8a8", "sparse50");
  for (const auto& r : results) {
    std::printf("%-20s %10.4f", experiment::variant_label(r.variant).c_str(), r.val_loss);
    for (const auto& [kind, ppl] : r.perplexity) std::printf(" %12.4f", ppl);
    std::printf("\n");
  }
  std::printf("tables and figures in %s\n", o.out_dir.c_str());
  return 0;
}

CommandRegistration reg("experiment", "Train attention variants and compare their outliers", [](CLI::App& sub) {
  sub.require_subcommand(1);
  CLI::App* variants = sub.add_subcommand("variants", "Train each variant with one budget; compare outliers, loss "
                                                      "and perplexity after 8-bit quantization and pruning");
  auto o = std::make_shared<experiment::VariantExperimentOptions>();
  auto list = std::make_shared<std::string>("softmax,attn_bias,ctx_scale,sigmoid");
  variants->add_option("--variants", *list, "Comma-separated: " + attention_variant_names())
      ->capture_default_str();
  variants->add_option("--out", o->out_dir, "Output folder")->required();
  add_training_options(*variants, o->train);
  add_measure_options(*variants, *o);
  auto mpi_timeout = std::make_shared<double>(0.0);
  add_mpi_timeout_option(*variants, *mpi_timeout);
  return [o, list, mpi_timeout]() { return run_variants(*o, *list, *mpi_timeout); };
});

}  // namespace
}  // namespace osc::cli
