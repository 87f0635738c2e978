// A mixture's routing (docs/hooks.md): mlp.hook_expert_weights [T, E] holds g[t, e], the weight of
// expert e for token t, 0 for the experts t was not routed to; the combined mlp.hook_post
// [T, E·d_ff] holds expert e's d_ff neurons at channels e·d_ff .. e·d_ff + d_ff - 1 and is zero
// there by construction, not by measurement, where g[t, e] = 0.
#pragma once
#include <cstdint>
#include <string>

#include "analysis/activation_rule.h"
#include "analysis/capture.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {

inline const std::string kExpertWeights = hook_pattern(HookPoint::ExpertWeights);  // [T, E]

// The entries of `post` ([T, E·d_ff], hook `post_hook`) of the experts each token was routed to
// (g[t, e] > 0; a routed neuron may itself be 0), by the routing hook of `layer` in `capture`;
// `n_experts` set to E. Empty with `n_experts` = 0 when no routing hook is captured (a dense
// model). BadInput when the routing hook's shape does not fit `post`.
CountedEntries routed_entries(const Capture& capture, int64_t layer, const MatrixRef& post,
                              const std::string& post_hook, int64_t& n_experts);

}  // namespace osc::analysis
