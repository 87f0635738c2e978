// `outlierscope train`: trains a GPT-2-style model with one of the attention variants on a token
// dataset made by `outlierscope prepare` (see docs/training.md).
#include <cmath>
#include <cstdio>

#include "cli/command.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "train/attention_variant.h"
#include "train/trainer.h"

namespace osc::cli {
namespace {

void add_model_options(CLI::App& sub, train::TrainOptions& o) {
  sub.add_option("--variant", o.variant, "Attention variant: " + train::attention_variant_names())->capture_default_str();
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

CommandRegistration reg("train", "Train a GPT-2-style model with an attention variant on CPU", [](CLI::App& sub) {
  auto o = std::make_shared<train::TrainOptions>();
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
  sub.add_flag("--resume", o->resume, "Continue from the run folder's last checkpoint");
  return [o]() {
    o->quiet = o->quiet || global_quiet();
    dist::Session session;  // under mpirun/srun: one rank of a data-parallel job (docs/distributed.md)
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
