#include "analysis/model_capture.h"

#include <filesystem>

#include "core/error.h"
#include "core/progress.h"
#include "core/text_file.h"
#include "hooks/hook_vocabulary.h"
#include "tokenizer/tokenizer.h"

namespace osc::analysis {

LayerWeights model_linear_weights(const Model& model) {
  const int64_t n_layers = model.config().n_layers;
  LayerWeights layers(static_cast<size_t>(std::max<int64_t>(n_layers, 0)));
  std::vector<std::pair<std::string, std::string>> modules = {
      {"q", "attn.q"}, {"k", "attn.k"}, {"v", "attn.v"}, {"o", "attn.o"}, {"router", "mlp.router"},
      {"gate", "mlp.gate"}, {"up", "mlp.up"}, {"down", "mlp.down"}};
  for (int64_t e = 0; e < model.config().n_experts; ++e)
    for (const char* kind : {"gate", "up", "down"})
      modules.push_back({expert_module(e, kind), "mlp." + expert_module(e, kind)});
  for (int64_t l = 0; l < n_layers; ++l)
    for (const auto& [module, suffix] : modules)
      if (const TensorView* w = model.weights().find(layer_weight_prefix(l) + suffix))
        layers[static_cast<size_t>(l)].push_back({module, *w});
  return layers;
}

InputSequence input_from_ids(const Model& model, std::vector<int32_t> ids, std::string source) {
  InputSequence in;
  in.source = std::move(source);
  const Tokenizer* tok = model.tokenizer();
  for (int32_t id : ids) {
    OSC_CHECK_INPUT(id >= 0 && id < model.config().vocab_size, in.source,
                    "token id " + std::to_string(id) + " outside the vocabulary of " + std::to_string(model.config().vocab_size));
    in.token_ids.push_back(id);
    in.pieces.push_back(tok ? tok->display_piece(id) : "#" + std::to_string(id));
    if (tok) in.vocab_pieces.push_back(tok->piece(id));
  }
  OSC_CHECK_INPUT(!in.token_ids.empty(), in.source, "no tokens");
  return in;
}

InputSequence input_from_text(const Model& model, const std::string& text, std::string source) {
  return input_from_ids(model, model.encode(text), std::move(source));
}

std::vector<InputSequence> inputs_from_file(const Model& model, const std::string& path, int64_t max_tokens,
                                            int64_t max_windows) {
  OSC_CHECK_INPUT(max_tokens >= 2, path, "--max-tokens must be at least 2");
  const std::vector<int32_t> ids = model.encode(read_text_file(path));
  OSC_CHECK_INPUT(!ids.empty(), path, "holds no tokens");
  const Tokenizer& tokenizer = model.require_tokenizer();
  const bool bos = tokenizer.add_bos_default() && tokenizer.bos_id() >= 0;
  std::vector<InputSequence> out;
  for (size_t at = 0; at < ids.size() && static_cast<int64_t>(out.size()) < max_windows;) {
    std::vector<int32_t> window;
    if (at > 0 && bos) window.push_back(tokenizer.bos_id());
    while (at < ids.size() && static_cast<int64_t>(window.size()) < max_tokens) window.push_back(ids[at++]);
    out.push_back(input_from_ids(model, std::move(window), path));
  }
  return out;
}

std::vector<std::string> capture_globs(bool full_detail, bool with_attention) {
  // A mixture's routing weights [T, E] (nothing matches on a dense model): the writers of an
  // outlier are credited through them.
  std::vector<std::string> globs = {hook_glob(HookPoint::ResidPost), hook_glob(HookPoint::MlpPost),
                                    hook_glob(HookPoint::ExpertWeights)};
  if (with_attention) globs.push_back(hook_glob(HookPoint::Pattern));
  if (!full_detail) return globs;
  for (HookPoint p : {HookPoint::MlpPre, HookPoint::MlpPreLinear, HookPoint::ExpertPre, HookPoint::ExpertPreLinear,
                      HookPoint::MlpOut, HookPoint::AttnOut})
    globs.push_back(hook_glob(p));
  if (with_attention)
    for (HookPoint p : {HookPoint::Q, HookPoint::K, HookPoint::V, HookPoint::Z, HookPoint::AttnScores})
      globs.push_back(hook_glob(p));
  return globs;
}

std::vector<Capture> capture_inputs(const Model& model, std::vector<InputSequence> inputs, bool with_attention,
                                    bool quiet) {
  std::vector<Capture> out;
  Progress progress("forward", static_cast<int64_t>(inputs.size()), "sequences", quiet);
  for (size_t i = 0; i < inputs.size(); ++i) {
    HookSet hooks;
    hooks.require_finite();  // statistics over NaN would look like findings (every position a sink)
    for (const auto& g : capture_globs(i == 0, with_attention)) hooks.capture(g);
    std::vector<int32_t> ids(inputs[i].token_ids.begin(), inputs[i].token_ids.end());
    model.forward(ids, hooks);
    Capture c;
    c.input = std::move(inputs[i]);
    for (const auto& name : hooks.captured_order()) c.hooks[name] = hooks.get(name);
    out.push_back(std::move(c));
    progress.update(static_cast<int64_t>(i + 1));
  }
  progress.finish();
  return out;
}

namespace {
// The name figures are titled with: the file's own model name, else the checkpoint's folder or file name.
std::string display_name(const Model& model, const std::string& path) {
  if (!model.config().name.empty()) return model.config().name;
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p.stem().string();
}
}  // namespace

nlohmann::json model_json(const Model& model) { return model_json(model, model.path()); }

nlohmann::json model_json(const Model& model, const std::string& path) {
  const ModelConfig& c = model.config();
  return {{"path", path}, {"name", display_name(model, path)}, {"architecture", c.architecture},
          {"n_layers", c.n_layers}, {"d_model", c.d_model}, {"d_ff", c.d_ff}, {"n_heads", c.n_heads},
          {"n_kv_heads", c.n_kv_heads}, {"d_head", c.d_head}, {"vocab_size", c.vocab_size},
          {"gated_mlp", c.gated_mlp}, {"config", model_config_to_json(c)}};
}

}  // namespace osc::analysis
