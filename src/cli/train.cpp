// `outlierscope train`: trains a GPT-2-style model with one of the attention variants on a token
// dataset made by `outlierscope prepare` (see docs/training.md).
#include <cmath>
#include <cstdio>

#include "cli/command.h"
#include "cli/dist_options.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "kernels/attention_variant.h"
#include "train/trainer.h"

namespace osc::cli {
namespace {

void add_model_options(CLI::App& sub, train::TrainOptions& o) {
  sub.add_option("--variant", o.variant, "Attention variant: " + attention_variant_names())->capture_default_str();
  sub.add_option("--layers", o.layers, "Transformer blocks")->capture_default_str();
  sub.add_option("--heads", o.heads, "Attention heads")->capture_default_str();
  sub.add_option("--dim", o.dim, "Model width (divisible by --heads)")->capture_default_str();
  sub.add_option("--ctx", o.context, "Context length")->capture_default_str();
  sub.add_flag("!--no-bias", o.bias, "No biases in linears and LayerNorms");
}

void add_optimizer_options(CLI::App& sub, train::TrainOptions& o) {
  sub.add_option("--batch", o.batch, "Sequences per micro-batch")->capture_default_str();
  sub.add_option("--grad-accum", o.grad_accum, "Micro-batches per optimizer step")->capture_default_str();
  sub.add_option("--steps", o.steps, "Optimizer steps")->capture_default_str();
  sub.add_option("--lr", o.lr, "Peak learning rate (cosine decay to lr/10)")->capture_default_str();
  sub.add_option("--warmup", o.warmup, "Linear warm-up steps")->capture_default_str();
  sub.add_option("--weight-decay", o.adamw.weight_decay, "AdamW weight decay (2-D tensors only)")->capture_default_str();
  sub.add_option("--beta1", o.adamw.beta1, "AdamW beta1")->capture_default_str();
  sub.add_option("--beta2", o.adamw.beta2, "AdamW beta2")->capture_default_str();
  sub.add_option("--grad-clip", o.grad_clip, "Clip the global gradient norm (0: off)")->capture_default_str();
}

// The train_options_to_json name of a command-line option ("--grad-accum" -> "grad_accum").
std::string option_field(std::string name) {
  if (name == "ctx") return "context";
  if (name == "no-bias") return "bias";
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

// What the user set explicitly, so that --resume can compare it with the run's saved options.
std::vector<std::string> given_fields(const CLI::App& sub) {
  std::vector<std::string> fields;
  for (const CLI::Option* option : sub.get_options())
    if (option->count() > 0 && !option->get_lnames().empty()) fields.push_back(option_field(option->get_lnames()[0]));
  return fields;
}

CommandRegistration reg("train", "Train a GPT-2-style model with an attention variant on CPU", [](CLI::App& sub) {
  auto o = std::make_shared<train::TrainOptions>();
  auto mpi_timeout = std::make_shared<double>(0.0);
  sub.add_option("--data", o->data_dir, "Dataset folder from `outlierscope prepare`")->required();
  sub.add_option("--out", o->run_dir, "Run folder (log.csv, checkpoints, export/)")->required();
  add_model_options(sub, *o);
  add_optimizer_options(sub, *o);
  sub.add_option("--eval-every", o->eval_every, "Validate every N steps (0: never)")->capture_default_str();
  sub.add_option("--eval-batches", o->eval_batches, "Batches per validation")->capture_default_str();
  sub.add_option("--ckpt-every", o->ckpt_every, "Checkpoint every N steps and at the end (0: never)")->capture_default_str();
  sub.add_option("--seed", o->seed, "Seed of initialisation and data order")->capture_default_str();
  sub.add_option("--threads", o->threads, "Threads (0: OpenMP default); results are bit-exact per thread count");
  sub.add_option("--stop-at", o->stop_at, "Stop after this step with a checkpoint (resume later); 0: run to --steps");
  sub.add_flag("--resume", o->resume,
               "Continue from the run folder's last checkpoint (options given again must match the run's; "
               "--steps may extend it, see docs/training.md)");
  add_mpi_timeout_option(sub, *mpi_timeout);
  return [o, mpi_timeout, &sub]() {
    o->quiet = o->quiet || global_quiet();
    o->given = given_fields(sub);
    dist::Session session;  // under mpirun/srun: one rank of a data-parallel job (docs/distributed.md)
    dist::set_wait_limit(*mpi_timeout);
    const train::TrainResult r = train::run_training(*o);
    if (!dist::is_root()) return 0;  // rank 0 reports for the job
    if (r.tokens_per_second == 0.0) {  // a finished run, resumed: no step ran, the export was rewritten
      std::printf("nothing to train: the run is at step %lld; export in %s/export\n",
                  static_cast<long long>(r.steps_done), o->run_dir.c_str());
      return 0;
    }
    char val[32] = "not evaluated";
    if (!std::isnan(r.last_val_loss)) std::snprintf(val, sizeof val, "%.4f", r.last_val_loss);
    std::printf("trained %lld steps: loss %.4f, val loss %s, %.0f tokens/s; export in %s/export\n",
                static_cast<long long>(r.steps_done), r.last_loss, val, r.tokens_per_second, o->run_dir.c_str());
    return 0;
  };
});

}  // namespace
}  // namespace osc::cli
