#include "hooks/finite_check.h"

#include <cmath>
#include <string_view>

#include "hooks/hook_vocabulary.h"

namespace osc {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool is_attention_matrix(std::string_view hook) {
  return ends_with(hook, hook_info(HookPoint::AttnScores).suffix) ||
         ends_with(hook, hook_info(HookPoint::Pattern).suffix);
}

std::string describe(float v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }

// Position of flat index i: attention matrices [H, Tq, Tk] by head / query / key; everything
// else [T, ...] by token and channel (the trailing dimensions flattened, as in interventions).
std::string position(const std::string& hook, const Shape& shape, int64_t i) {
  if (is_attention_matrix(hook) && shape.size() == 3) {
    const int64_t keys = shape[2], queries = shape[1];
    return "head " + std::to_string(i / (queries * keys)) + ", query " + std::to_string(i / keys % queries) + ", key " +
           std::to_string(i % keys);
  }
  const int64_t per_token = shape.empty() || shape[0] == 0 ? 1 : shape_numel(shape) / shape[0];
  return "token " + std::to_string(i / per_token) + ", channel " + std::to_string(i % per_token);
}

}  // namespace

std::optional<std::string> first_non_finite(const std::string& hook, const float* data, const Shape& shape) {
  const bool masked_allowed = ends_with(hook, hook_info(HookPoint::AttnScores).suffix);
  const int64_t n = shape_numel(shape);
  for (int64_t i = 0; i < n; ++i) {
    const float v = data[i];
    if (std::isfinite(v) || (masked_allowed && v == -INFINITY)) continue;
    return "first non-finite value (" + describe(v) + ") at " + position(hook, shape, i);
  }
  return std::nullopt;
}

}  // namespace osc
