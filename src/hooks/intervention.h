// Interventions: edits applied to a hook's tensor during the forward pass, so every later layer
// sees the edited value (the paper's set-to-zero / set-to-mean experiments on massive activations).
//
// Spec syntax (one per --intervene flag):   HOOK:OP[:key=value,key=value...]
//   HOOK     a hook name or glob ("blocks.1.hook_resid_post", "blocks.*.mlp.hook_post")
//   OP       zero | set | scale | mean
//   token=N  index along the hook's first dimension (the token for [T, ...] hooks); default all
//   channel=N index along the remaining dimensions flattened (d_model channel, or head·d_head+i);
//            default all
//   value=X  for set;  factor=X for scale
// mean replaces each selected entry by its channel's mean over all tokens of the current pass
// (a dataset-wide mean is applied with set:value=X).
// Example: "blocks.1.hook_resid_post:zero:token=0,channel=12"
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace osc {

enum class InterventionOp { Zero, Set, Scale, Mean };

struct Intervention {
  std::string hook;  // name or glob
  InterventionOp op = InterventionOp::Zero;
  double value = 0.0;  // set: the new value; scale: the factor
  std::optional<int64_t> token, channel;
};

// Throws BadInput naming the spec and what is wrong with it.
Intervention parse_intervention(std::string_view spec);
std::string intervention_to_string(const Intervention& iv);

// Edits data (laid out as `shape`, first dimension = tokens) in place. Throws BadInput if the
// token or channel index lies outside the tensor.
void apply_intervention(const Intervention& iv, const std::string& hook_name, float* data, const Shape& shape);

}  // namespace osc
