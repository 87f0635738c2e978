#include "train/train_options.h"

#include "core/error.h"
#include "core/option_domains.h"
#include "kernels/attention_variant.h"

namespace osc::train {

nlohmann::json train_options_to_json(const TrainOptions& o) {
  return {{"variant", o.variant},         {"layers", o.layers},
          {"heads", o.heads},             {"dim", o.dim},
          {"context", o.context},         {"bias", o.bias},
          {"batch", o.batch},             {"grad_accum", o.grad_accum},
          {"steps", o.steps},             {"warmup", o.warmup},
          {"lr", o.lr},                   {"grad_clip", o.grad_clip},
          {"beta1", o.adamw.beta1},       {"beta2", o.adamw.beta2},
          {"eps", o.adamw.eps},           {"weight_decay", o.adamw.weight_decay},
          {"eval_every", o.eval_every},   {"eval_batches", o.eval_batches},
          {"ckpt_every", o.ckpt_every},   {"seed", o.seed},
          {"threads", o.threads}};
}

void train_options_from_json(const nlohmann::json& j, TrainOptions& o, const std::string& where) {
  try {
    o.variant = j.at("variant").get<std::string>();
    o.layers = j.at("layers").get<int64_t>(), o.heads = j.at("heads").get<int64_t>();
    o.dim = j.at("dim").get<int64_t>(), o.context = j.at("context").get<int64_t>();
    o.bias = j.at("bias").get<bool>();
    o.batch = j.at("batch").get<int64_t>(), o.grad_accum = j.at("grad_accum").get<int64_t>();
    o.steps = j.at("steps").get<int64_t>(), o.warmup = j.at("warmup").get<int64_t>();
    o.lr = j.at("lr").get<double>(), o.grad_clip = j.at("grad_clip").get<double>();
    o.adamw.beta1 = j.at("beta1").get<double>(), o.adamw.beta2 = j.at("beta2").get<double>();
    o.adamw.eps = j.at("eps").get<double>(), o.adamw.weight_decay = j.at("weight_decay").get<double>();
    o.eval_every = j.at("eval_every").get<int64_t>(), o.eval_batches = j.at("eval_batches").get<int64_t>();
    o.ckpt_every = j.at("ckpt_every").get<int64_t>();
    o.seed = j.at("seed").get<uint64_t>();
    if (o.threads <= 0) o.threads = j.at("threads").get<int>();  // the command line may override
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(where, std::string("bad training options: ") + e.what());
  }
}

void validate_train_options(const TrainOptions& o) {
  OSC_CHECK_INPUT(find_attention_variant(o.variant) != nullptr, "--variant",
                  "unknown attention variant '" + o.variant + "' (known: " + attention_variant_names() + ")");
  const std::pair<const char*, double> values[] = {
      {"--layers", static_cast<double>(o.layers)},   {"--heads", static_cast<double>(o.heads)},
      {"--dim", static_cast<double>(o.dim)},         {"--ctx", static_cast<double>(o.context)},
      {"--batch", static_cast<double>(o.batch)},     {"--grad-accum", static_cast<double>(o.grad_accum)},
      {"--steps", static_cast<double>(o.steps)},     {"--warmup", static_cast<double>(o.warmup)},
      {"--lr", o.lr},                                {"--grad-clip", o.grad_clip},
      {"--beta1", o.adamw.beta1},                    {"--beta2", o.adamw.beta2},
      {"--eps", o.adamw.eps},                        {"--weight-decay", o.adamw.weight_decay},
      {"--eval-every", static_cast<double>(o.eval_every)}, {"--eval-batches", static_cast<double>(o.eval_batches)},
      {"--ckpt-every", static_cast<double>(o.ckpt_every)}, {"--stop-at", static_cast<double>(o.stop_at)},
      {"--threads", static_cast<double>(o.threads)}};
  for (const auto& [option, value] : values) check_option_value("train", option, value);
}

namespace {

// Options a resumed run may change: they decide when to log, evaluate and save, not what is trained.
bool adjustable_on_resume(const std::string& field) {
  return field == "eval_every" || field == "eval_batches" || field == "ckpt_every" || field == "threads";
}

}  // namespace

std::vector<std::string> all_train_option_fields() {
  std::vector<std::string> fields;
  const nlohmann::json defaults = train_options_to_json(TrainOptions{});
  for (const auto& [key, value] : defaults.items()) fields.push_back(key);
  return fields;
}

std::vector<std::string> run_option_differences(const TrainOptions& saved, const TrainOptions& requested,
                                                const std::vector<std::string>& fields) {
  const nlohmann::json a = train_options_to_json(saved), b = train_options_to_json(requested);
  std::vector<std::string> differences;
  for (const std::string& field : fields)
    if (!adjustable_on_resume(field) && a.contains(field) && a[field] != b[field])
      differences.push_back(field + ": the run has " + a[field].dump() + ", given " + b[field].dump());
  return differences;
}

TrainOptions resumed_options(const TrainOptions& saved, const TrainOptions& requested, int64_t done) {
  std::vector<std::string> compared;
  bool steps_given = false;
  for (const std::string& field : requested.given) {
    if (field == "steps") steps_given = true;
    else compared.push_back(field);
  }
  const std::vector<std::string> differences = run_option_differences(saved, requested, compared);
  if (!differences.empty()) {
    std::string list;
    for (const auto& d : differences) list += (list.empty() ? "" : "; ") + d;
    throw_bad_input("--resume", "the run in " + requested.run_dir + " was started with other options (" + list +
                                    "); drop them to continue it, or start a new run with another --out");
  }
  TrainOptions o = saved;
  if (steps_given) {
    OSC_CHECK_INPUT(requested.steps >= done, "--steps",
                    std::to_string(requested.steps) + " is below the " + std::to_string(done) +
                        " steps the run has already taken");
    o.steps = requested.steps;
  }
  for (const std::string& field : requested.given) {
    if (field == "eval_every") o.eval_every = requested.eval_every;
    if (field == "eval_batches") o.eval_batches = requested.eval_batches;
    if (field == "ckpt_every") o.ckpt_every = requested.ckpt_every;
    if (field == "threads") o.threads = requested.threads;
  }
  o.data_dir = requested.data_dir, o.run_dir = requested.run_dir;
  o.resume = requested.resume, o.quiet = requested.quiet, o.stop_at = requested.stop_at, o.given = requested.given;
  return o;
}

}  // namespace osc::train
