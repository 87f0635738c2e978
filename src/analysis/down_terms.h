// The terms that write one MLP output entry mlp_out[p, c] (bias aside), for crediting an outlier
// to the down-projection columns behind it (docs/metrics.md §5):
//   dense MLP          post[p, j] · W_down[c, j]                  for every d_ff column j;
//   routed mixture     g[p, e] · post_e[p, j] · W_down_e[c, j]    for every expert e and column j,
// with g = mlp.hook_expert_weights [T, E] (zero for the experts a token is not routed to) and
// post_e = channels e·d_ff .. e·d_ff + d_ff - 1 of the combined mlp.hook_post [T, E·d_ff].
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "analysis/capture.h"
#include "analysis/lifecycle.h"

namespace osc::analysis {

struct DownTerm {
  int64_t expert = -1;        // -1: a dense MLP
  int64_t column = 0;         // column of W_down (of that expert)
  double routing_weight = 1;  // g[p, e]; 1 for a dense MLP
  double activation = 0;      // post[p, column] (an expert's, before the routing weight)
  double weight = 0;          // W_down[c, column]
  double contribution = 0;    // routing_weight · activation · weight
};

// Every term of layer `layer` at (position, channel), dense columns in order, a mixture's by expert
// then column (experts with g[p, e] = 0 left out). Empty when mlp.hook_post or the down weights
// are missing or their shapes disagree.
std::vector<DownTerm> down_terms(const Capture& capture, const LayerWeights& weights, int64_t layer,
                                 int64_t position, int64_t channel);

// The `top` terms of largest |contribution|, largest first.
std::vector<DownTerm> largest_terms(const std::vector<DownTerm>& terms, size_t top);
double sum_of_contributions(const std::vector<DownTerm>& terms);

// d_ff of one expert at `layer` from the captured hooks; 0 for a dense MLP (or hooks missing).
int64_t expert_width(const Capture& capture, int64_t layer);

// mlp.hook_post's channel of a term: the column, or e·d_ff + column for an expert.
int64_t post_channel(const DownTerm& t, int64_t expert_width);

// {"column", "contribution", "share", "activation", "weight"}, and for an expert also "expert",
// "routing_weight" and "mlp_post_channel".
nlohmann::json down_term_json(const DownTerm& t, double share, int64_t expert_width);

}  // namespace osc::analysis
