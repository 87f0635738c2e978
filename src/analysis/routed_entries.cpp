#include "analysis/routed_entries.h"

#include <algorithm>

#include "core/error.h"

namespace osc::analysis {

CountedEntries routed_entries(const Capture& capture, int64_t layer, const MatrixRef& post,
                              const std::string& post_hook, int64_t& n_experts) {
  n_experts = 0;
  const std::string routing_hook = hook_name(kExpertWeights, layer);
  const Tensor* routing = find_hook(capture, routing_hook);
  if (!routing) return {};
  const MatrixRef g = token_matrix(*routing, routing_hook);  // [T, E]
  OSC_CHECK_INPUT(g.cols > 0 && g.rows == post.rows && post.cols % g.cols == 0, post_hook,
                  "shape [" + std::to_string(post.rows) + ", " + std::to_string(post.cols) +
                      "] does not fit the routing weights " + routing_hook + " [" + std::to_string(g.rows) +
                      ", " + std::to_string(g.cols) + "]");
  const int64_t width = post.cols / g.cols;  // d_ff of one expert
  CountedEntries counted(static_cast<size_t>(post.rows * post.cols), 0);
  for (int64_t t = 0; t < post.rows; ++t)
    for (int64_t e = 0; e < g.cols; ++e)
      if (g.at(t, e) > 0.0f)
        std::fill_n(counted.begin() + t * post.cols + e * width, width, uint8_t{1});
  n_experts = g.cols;
  return counted;
}

}  // namespace osc::analysis
