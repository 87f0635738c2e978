// The bridge from a loaded Model to the analyses: its linear weights by module, the input
// sequences (text, files cut into windows, raw ids) with their display pieces, and the forward
// passes that capture the hooks the analyses read.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/capture.h"
#include "analysis/lifecycle.h"
#include "model/model.h"

namespace osc::analysis {

inline const char* kDefaultPrompt = "Summer is warm. Winter is cold.\n";

// blocks.{l}.attn.{q,k,v,o}, blocks.{l}.mlp.{router,gate,up,down} and a mixture's
// blocks.{l}.mlp.experts.{e}.{gate,up,down} (module "experts.{e}.down", ...) of every layer
// ([out, in] views).
LayerWeights model_linear_weights(const Model& model);

// One input from ids (pieces from the tokenizer when there is one, else "#id").
InputSequence input_from_ids(const Model& model, std::vector<int32_t> ids, std::string source);
// The text encoded with the model's BOS convention.
InputSequence input_from_text(const Model& model, const std::string& text, std::string source);
// A file's text cut into consecutive windows of at most max_tokens tokens, at most max_windows
// of them; windows after the first start with BOS when the model adds one.
std::vector<InputSequence> inputs_from_file(const Model& model, const std::string& path, int64_t max_tokens,
                                            int64_t max_windows);

// Hooks for the analyses: full detail (q/k/v/z, scores, MLP internals) or only what the
// statistics over many sequences need (resid_post, mlp.hook_post, pattern).
std::vector<std::string> capture_globs(bool full_detail, bool with_attention);
// Runs the model on every input (input 0 in full detail); shows a progress line.
std::vector<Capture> capture_inputs(const Model& model, std::vector<InputSequence> inputs, bool with_attention,
                                    bool quiet);

nlohmann::json model_json(const Model& model);
// The same for a model read from `path` that does not hold its path (a pipeline stage's share).
nlohmann::json model_json(const Model& model, const std::string& path);

}  // namespace osc::analysis
