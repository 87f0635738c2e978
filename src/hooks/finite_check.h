// Non-finite detection at hook points: a NaN or Inf produced by bad weights or a bad config
// (e.g. a RoPE scaling factor of 0) spreads to every later activation, and statistics over NaN
// look like findings (every position an "attention sink"). The check names where it first appears.
#pragma once
#include <optional>
#include <string>

#include "core/tensor.h"

namespace osc {

// nullopt if every value of `data` [shape] is finite (masked attention scores, -inf in
// `*hook_attn_scores`, are allowed); else "first non-finite value (nan) at token 3, channel 17",
// or "at head 1, query 4, key 2" for [H, T, T] attention matrices.
std::optional<std::string> first_non_finite(const std::string& hook, const float* data, const Shape& shape);

}  // namespace osc
