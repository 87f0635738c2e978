#include "train/train_options.h"

#include "core/error.h"
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
  OSC_CHECK_INPUT(o.batch >= 1 && o.batch <= 4096, "--batch", "must be in 1..4096");
  OSC_CHECK_INPUT(o.grad_accum >= 1 && o.grad_accum <= 4096, "--grad-accum", "must be in 1..4096");
  OSC_CHECK_INPUT(o.steps >= 1 && o.steps <= (int64_t{1} << 40), "--steps", "must be >= 1");
  OSC_CHECK_INPUT(o.warmup >= 0, "--warmup", "must be >= 0");
  OSC_CHECK_INPUT(o.lr > 0.0 && o.lr < 10.0, "--lr", "must be in (0, 10)");
  OSC_CHECK_INPUT(o.grad_clip >= 0.0, "--grad-clip", "must be >= 0 (0 disables clipping)");
  OSC_CHECK_INPUT(o.eval_every >= 0 && o.ckpt_every >= 0, "--eval-every/--ckpt-every", "must be >= 0 (0 disables)");
  OSC_CHECK_INPUT(o.eval_batches >= 1 && o.eval_batches <= 100000, "--eval-batches", "must be >= 1");
  OSC_CHECK_INPUT(o.stop_at >= 0, "--stop-at", "must be >= 0 (0: run to --steps)");
  OSC_CHECK_INPUT(o.threads >= 0 && o.threads <= 1024, "--threads", "must be in 0..1024");
}

}  // namespace osc::train
