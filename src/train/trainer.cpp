#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <string>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/output_guard.h"
#include "core/progress.h"
#include "core/text_file.h"
#include "dist/communicator.h"
#include "train/checkpoint.h"
#include "train/data_parallel.h"
#include "train/export_hf.h"
#include "train/export_tokenizer.h"
#include "train/gemm.h"
#include "train/rank_agreement.h"
#include "train/token_data.h"

namespace osc::train {
namespace {

constexpr const char* kLogHeader = "step,loss,val_loss,lr,grad_norm,tokens_per_s";
constexpr uint64_t kEvalSeedSalt = 0x5eed0fe7a1ULL;  // validation batches: the same at every eval

GptConfig model_config(const TrainOptions& o, int64_t vocab) {
  GptConfig c;
  c.vocab_size = vocab, c.context = o.context, c.layers = o.layers, c.heads = o.heads, c.dim = o.dim;
  c.bias = o.bias, c.variant = o.variant;
  return c;
}

// Sequences the main model holds activations for: the whole batch on rank 0, which validates on
// whole batches; a rank's share elsewhere (its threads' shards are at most that).
int64_t activation_batch(int64_t batch) {
  return dist::is_root() ? batch : rank_share(batch, dist::rank(), dist::size()).count;
}

// Keeps the log rows of steps <= last_step (a resumed run rewrites what follows).
void truncate_log(const std::string& path, int64_t last_step) {
  std::string kept = std::string(kLogHeader) + "\n";
  if (std::filesystem::exists(path)) {
    std::istringstream in(read_text_file(path));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (std::stoll(line.substr(0, line.find(','))) <= last_step) kept += line + "\n";
    }
  }
  write_text_atomically(path, kept);
}

class Trainer {
 public:
  Trainer(TrainOptions o, const StepCallback& on_step)
      : on_step_(on_step), o_(std::move(o)), data_(o_.data_dir),
        model_(model_config(o_, data_.meta().vocab_size), activation_batch(o_.batch)), opt_(model_.params(), o_.adamw),
        rng_(o_.seed), step_runner_(model_, rank_share(o_.batch, dist::rank(), dist::size()), parallel_threads()) {
    const size_t n = static_cast<size_t>(o_.batch * o_.context);
    tokens_.resize(n), targets_.resize(n);
    // An empty or too short split fails now, before the run folder holds anything of this run.
    data_.require_windows(Split::Train, o_.context);
    if (o_.eval_every > 0) data_.require_windows(Split::Val, o_.context);
  }

  void start_fresh() {
    model_.params().initialize(o_.seed, o_.layers);
    rng_.reseed(o_.seed ^ 0x9e3779b97f4a7c15ULL);
    if (writer_) truncate_log(log_path(), 0);
  }

  void resume(const CheckpointState& s) {
    load_checkpoint_tensors(o_.run_dir, model_, opt_);
    rng_.set_state(s.rng);
    step_ = s.step;
    if (writer_) truncate_log(log_path(), step_);
  }

  TrainResult run() {
    check_ranks_agree(o_, step_, rng_.state(), model_.params());
    TrainResult r;
    std::ofstream log;
    if (writer_) log.open(log_path(), std::ios::app);
    Progress progress("train", o_.steps, "step", o_.quiet || !writer_);
    progress.start_from(step_);
    const double tokens_per_step = static_cast<double>(o_.batch * o_.context * o_.grad_accum);
    double val = std::numeric_limits<double>::quiet_NaN();
    const int64_t end = o_.stop_at > 0 ? std::min(o_.stop_at, o_.steps) : o_.steps;
    for (; step_ < end; ++step_) {
      const auto t0 = std::chrono::steady_clock::now();
      const double lr = learning_rate_at(step_, o_.lr, o_.warmup, o_.steps);
      double grad_norm = 0.0;
      const double loss = train_step(lr, &grad_norm);
      check_finite_loss(loss, step_ + 1);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const int64_t done = step_ + 1;
      const bool eval_now = o_.eval_every > 0 && (done % o_.eval_every == 0 || done == o_.steps);
      val = eval_now ? evaluate() : std::numeric_limits<double>::quiet_NaN();
      r.tokens_per_second = tokens_per_step / secs;
      if (writer_) append_log(log, done, loss, val, lr, grad_norm, r.tokens_per_second);
      r.last_loss = loss;
      if (eval_now) r.last_val_loss = val;
      progress.update(done, status_line(loss, r.last_val_loss, r.tokens_per_second));
      if (on_step_) on_step_({done, o_.steps, loss, val, lr, grad_norm, r.tokens_per_second});
      const bool stopping_early = done == end && end < o_.steps;
      const bool checkpoint_now =
          (o_.ckpt_every > 0 && (done % o_.ckpt_every == 0 || done == o_.steps)) || stopping_early;
      if (writer_ && checkpoint_now) checkpoint(done);
    }
    const bool trained = r.tokens_per_second > 0.0;  // a finished run that is resumed trains no step
    progress.finish(trained ? status_line(r.last_loss, r.last_val_loss, r.tokens_per_second)
                            : "nothing to train: the run is at step " + std::to_string(step_));
    if (writer_) {
      export_hf_gpt2(model_, o_.run_dir + "/export", data_.meta().bos_token, data_.meta().eot_token);
      export_byte_tokenizer(data_.meta(), o_.context, o_.run_dir + "/export");
    }
    r.steps_done = step_;
    return r;
  }

 private:
  std::string log_path() const { return o_.run_dir + "/log.csv"; }

  // A NaN or infinite loss poisons every later step and the export: stop at the step it appears.
  void check_finite_loss(double loss, int64_t step) const {
    if (std::isfinite(loss)) return;
    throw_bad_input("train", "the training loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") +
                                 " at step " + std::to_string(step) + " (learning rate " +
                                 std::to_string(learning_rate_at(step - 1, o_.lr, o_.warmup, o_.steps)) +
                                 "); lower --lr or raise --warmup");
  }

  double train_step(double lr, double* grad_norm) {
    step_runner_.zero_grads();
    double loss = 0.0;
    const float weight = 1.0f / static_cast<float>(o_.grad_accum);
    for (int64_t micro = 0; micro < o_.grad_accum; ++micro) {
      data_.sample(Split::Train, rng_, o_.batch, o_.context, tokens_.data(), targets_.data());
      loss += step_runner_.forward_backward(tokens_.data(), targets_.data(), o_.context, weight) /
              static_cast<double>(o_.grad_accum);
    }
    step_runner_.sum_gradients();
    sum_across_ranks(&loss);
    *grad_norm = train::grad_norm(model_.params());
    opt_.update(model_.params(), lr, clip_scale(*grad_norm, o_.grad_clip));
    return loss;
  }

  // Every rank ends with the whole batch's gradients and loss, summed in rank order (reproducible).
  void sum_across_ranks(double* loss) {
    dist::allreduce_sum(model_.params().grads);
    dist::allreduce_sum(std::span(loss, 1));
  }

  // Every rank evaluates its share of each validation batch on the training shards, summed in rank
  // order as the training loss is (a thread-count-dependent split would differ in the last bits).
  double evaluate() {
    Rng eval_rng(o_.seed ^ kEvalSeedSalt);
    double total = 0.0;
    for (int64_t b = 0; b < o_.eval_batches; ++b) {
      data_.sample(Split::Val, eval_rng, o_.batch, o_.context, tokens_.data(), targets_.data());
      double loss = step_runner_.forward_loss(tokens_.data(), targets_.data(), o_.context);
      dist::allreduce_sum(std::span(&loss, 1));
      total += loss;
    }
    return total / static_cast<double>(o_.eval_batches);
  }

  void checkpoint(int64_t done) {
    CheckpointState s;
    s.step = done, s.rng = rng_.state(), s.options = o_;
    save_checkpoint(o_.run_dir, model_, opt_, s);
  }

  static void append_log(std::ofstream& log, int64_t step, double loss, double val, double lr, double norm, double tps) {
    char line[256];
    std::snprintf(line, sizeof line, "%lld,%.9g,%.9g,%.9g,%.6g,%.1f\n", static_cast<long long>(step), loss, val, lr,
                  norm, tps);
    log << line << std::flush;
  }

  static std::string status_line(double loss, double val, double tps) {
    char s[128];
    if (std::isnan(val)) std::snprintf(s, sizeof s, "loss %.4f %.0f tok/s", loss, tps);  // not yet evaluated
    else std::snprintf(s, sizeof s, "loss %.4f val %.4f %.0f tok/s", loss, val, tps);
    return s;
  }

  const StepCallback& on_step_;
  TrainOptions o_;
  TokenDataset data_;
  GptModel model_;
  AdamW opt_;
  Rng rng_;
  DataParallelStep step_runner_;  // after model_, whose parameters its replicas read
  // Rank 0 alone evaluates and writes the log, checkpoints and export (every rank has the same weights).
  const bool writer_ = dist::is_root();
  int64_t step_ = 0;
  std::vector<int32_t> tokens_, targets_;
};

}  // namespace

TrainResult run_training(TrainOptions options, const StepCallback& on_step) {
  validate_train_options(options);
  OSC_CHECK_INPUT(options.batch >= dist::size(), "--batch",
                  std::to_string(options.batch) + " sequences cannot be shared by " + std::to_string(dist::size()) +
                      " ranks; each rank trains at least one sequence of the batch");
  // Rank 0 alone writes the run folder (docs/distributed.md), so it alone holds the folder's lock.
  std::optional<OutputFolder> folder;
  if (dist::is_root()) folder.emplace(options.run_dir, "train", std::vector<std::string>{options.data_dir}, OutputFolder::Mode::Update);
  CheckpointState state;
  if (options.resume) {
    OSC_CHECK_INPUT(checkpoint_exists(options.run_dir), "--resume",
                    options.run_dir + " holds no checkpoint to continue; drop --resume to start a new run");
    CheckpointState saved;
    saved.options = options;
    state = read_checkpoint_state(options.run_dir, saved);
    options = resumed_options(state.options, options, state.step);
    validate_train_options(options);
  } else {
    OSC_CHECK_INPUT(!checkpoint_exists(options.run_dir), options.run_dir,
                    "holds a checkpoint; pass --resume to continue it or choose another --out");
    if (folder) folder->clear();  // a fresh run: no log rows or export of an earlier one
  }
  configure_threads(options.threads);
  Trainer trainer(options, on_step);
  if (options.resume) trainer.resume(state);
  else trainer.start_fresh();
  return trainer.run();
}

}  // namespace osc::train
