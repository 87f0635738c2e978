#include "experiment/variant_runner.h"

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/output_guard.h"
#include "core/progress.h"
#include "core/text_file.h"
#include "dist/communicator.h"
#include "experiment/token_pieces.h"
#include "kernels/attention_variant.h"
#include "plot/figures.h"
#include "train/checkpoint.h"
#include "train/token_data.h"
#include "train/trainer.h"

namespace osc::experiment {
namespace {

train::GptConfig model_config(const train::TrainOptions& o, int64_t vocab) {
  train::GptConfig c;
  c.vocab_size = vocab, c.context = o.context, c.layers = o.layers, c.heads = o.heads, c.dim = o.dim;
  c.bias = o.bias, c.variant = o.variant;
  return c;
}

// The run's final weights, read back from its checkpoint.
train::GptModel load_trained(const train::TrainOptions& o, int64_t vocab) {
  train::GptModel model(model_config(o, vocab), 1);
  train::AdamW moments(model.params(), o.adamw);
  train::load_checkpoint_tensors(o.run_dir, model, moments);
  return model;
}

nlohmann::json settings_json(const VariantExperimentOptions& o, const train::TokenDataMeta& meta) {
  nlohmann::json train = train::train_options_to_json(o.train);
  train.erase("variant");
  return {{"data_dir", o.train.data_dir}, {"tokenizer", meta.tokenizer}, {"vocab_size", meta.vocab_size},
          {"train", train}, {"eval_windows", o.eval_windows}, {"stats_windows", o.stats_windows},
          {"eval_seed", o.eval_seed}};
}

struct RunLog {
  double train_seconds = 0, last_loss = 0;
};

// What the run's log.csv (step,loss,val_loss,lr,grad_norm,tokens_per_s) says about training: the
// time spent in optimizer steps and the last step's loss, so that a resumed or already finished
// run reports them too.
RunLog read_run_log(const train::TrainOptions& t) {
  const double tokens_per_step = static_cast<double>(t.batch * t.context * t.grad_accum);
  std::istringstream log(read_text_file(t.run_dir + "/log.csv"));
  std::string line;
  std::getline(log, line);
  RunLog r;
  while (std::getline(log, line)) {
    const auto first = line.find(','), last = line.find_last_of(',');
    if (first == std::string::npos || last == first) continue;
    r.last_loss = std::strtod(line.c_str() + first + 1, nullptr);
    const double tokens_per_second = std::strtod(line.c_str() + last + 1, nullptr);
    if (tokens_per_second > 0.0) r.train_seconds += tokens_per_step / tokens_per_second;
  }
  return r;
}

// Variants may be trained separately with `outlierscope train --out OUT/runs/<variant>` and combined
// by one experiment call (docs/experiments.md): a folder holding nothing but runs/ is then adopted
// as this experiment's output folder.
void adopt_separately_trained_runs(const std::string& out_dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir, ec)) names.push_back(entry.path().filename().string());
  if (names == std::vector<std::string>{"runs"} && std::filesystem::is_directory(out_dir + "/runs"))
    mark_output_folder(out_dir, "experiment");
}

// A variant's run folder from an earlier invocation is continued only if it was trained with the
// same options, --steps included: variants trained differently are not comparable.
void require_same_run(train::TrainOptions& t) {
  const train::TrainOptions saved = train::read_checkpoint_state(t.run_dir, {}).options;
  t.given = train::all_train_option_fields();
  const std::vector<std::string> differences = train::run_option_differences(saved, t, t.given);
  if (differences.empty()) return;
  std::string list;
  for (const auto& d : differences) list += (list.empty() ? "" : "; ") + d;
  throw_bad_input(t.run_dir, "was trained with other options (" + list +
                                 "); rerun with the same options or choose another --out");
}

train::TrainOptions variant_training(const VariantExperimentOptions& o, const std::string& variant) {
  train::TrainOptions t = o.train;
  t.variant = variant;
  t.run_dir = o.out_dir + "/runs/" + variant;
  t.ckpt_every = t.steps;  // the final checkpoint is what gets measured
  t.resume = train::checkpoint_exists(t.run_dir);
  if (t.resume) require_same_run(t);
  return t;
}

VariantResult train_and_measure(const VariantExperimentOptions& o, const std::string& variant,
                                const train::TokenDataset& data, const TokenWindows& windows,
                                const std::vector<std::string>& pieces) {
  const train::TrainOptions t = variant_training(o, variant);
  if (!t.quiet) std::fprintf(stderr, "experiment: training %s\n", variant.c_str());
  const train::TrainResult trained = train::run_training(t);
  VariantResult r = measure_variant(load_trained(t, data.meta().vocab_size), windows, o, pieces);
  r.variant = variant;
  r.steps = trained.steps_done;
  const RunLog log = read_run_log(t);
  r.train_seconds = log.train_seconds;
  r.train_loss = log.last_loss;
  return r;
}

}  // namespace

void validate_variant_experiment(const VariantExperimentOptions& o) {
  OSC_CHECK_INPUT(!o.out_dir.empty(), "--out", "an output folder is required");
  OSC_CHECK_INPUT(!o.variants.empty(), "--variants", "no variants given");
  std::set<std::string> seen;
  for (const auto& v : o.variants) {
    OSC_CHECK_INPUT(find_attention_variant(v) != nullptr, "--variants",
                    "unknown variant '" + v + "' (known: " + attention_variant_names() + ")");
    OSC_CHECK_INPUT(seen.insert(v).second, "--variants", "variant '" + v + "' is listed twice");
  }
  OSC_CHECK_INPUT(o.eval_windows >= 1 && o.eval_windows <= 100000, "--eval-windows", "must be in 1..100000");
  OSC_CHECK_INPUT(o.stats_windows >= 1 && o.stats_windows <= o.eval_windows, "--stats-windows",
                  "must be in 1..--eval-windows");
  OSC_CHECK_INPUT(o.landscape_layer >= -1 && o.landscape_layer < o.train.layers, "--landscape-layer",
                  "must be -1 (middle) or a layer index below --layers");
  OSC_CHECK_INPUT(o.landscape_positions >= 1, "--landscape-positions", "must be >= 1");
  train::validate_train_options(o.train);
}

VariantResult measure_variant(const train::GptModel& model, const TokenWindows& windows,
                              const VariantExperimentOptions& o, const std::vector<std::string>& pieces) {
  VariantResult r;
  r.variant = model.config().variant;
  const auto& compressions = all_compressions();
  Progress progress("measure " + r.variant, static_cast<int64_t>(compressions.size()) + 2, "parts", o.train.quiet);
  for (Compression c : compressions) {
    r.perplexity.emplace_back(c, perplexity(model, windows, c));
    progress.update(static_cast<int64_t>(r.perplexity.size()));
  }
  r.val_loss = std::log(r.perplexity.front().second);  // all_compressions() starts with Original
  r.layers = measure_layer_stats(model, windows, o.stats_windows);
  progress.update(static_cast<int64_t>(compressions.size()) + 1);
  const int64_t layer = o.landscape_layer >= 0 ? o.landscape_layer : model.config().layers / 2;
  r.landscape = residual_landscape(model, windows, layer, o.landscape_positions, pieces);
  progress.update(static_cast<int64_t>(compressions.size()) + 2);
  progress.finish();
  return r;
}

std::vector<VariantResult> run_variant_experiment(const VariantExperimentOptions& o) {
  validate_variant_experiment(o);
  if (!dist::is_root()) {  // another rank of a multi-process job: it helps train; rank 0 measures and writes
    for (const auto& variant : o.variants) train::run_training(variant_training(o, variant));
    return {};
  }
  adopt_separately_trained_runs(o.out_dir);
  OutputFolder folder(o.out_dir, "experiment", {o.train.data_dir}, OutputFolder::Mode::Update);
  const train::TokenDataset data(o.train.data_dir);
  const TokenWindows windows = sample_validation_windows(data, o.eval_windows, o.train.context, o.eval_seed);
  const std::vector<std::string> pieces = token_pieces(data.meta());
  std::vector<VariantResult> results;
  for (const auto& variant : o.variants) results.push_back(train_and_measure(o, variant, data, windows, pieces));
  const std::string title = o.title.empty() ? "attention variants on " + o.train.data_dir : o.title;
  write_comparison_tables(o.out_dir, results, title, settings_json(o, data.meta()));
  if (o.figures) {
    plot::FigureOptions fig;
    fig.quiet = o.train.quiet;
    fig.source = o.out_dir + "/comparison.json";
    plot::draw_comparison_figures(comparison_json(results, title, settings_json(o, data.meta())),
                                  o.out_dir + "/figures", fig);
    mark_output_folder(o.out_dir + "/figures", "plot");  // `outlierscope plot comparison.json` redraws them
  }
  return results;
}

}  // namespace osc::experiment
