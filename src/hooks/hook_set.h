// HookSet: what a forward pass should do at its named hook points (see docs/hooks.md).
// It holds capture globs and interventions; the forward pass calls on(name, data, shape) at each
// point, which first applies matching interventions in place, then copies the (edited) tensor if
// a capture glob matches. Nothing is stored for unselected points, and the forward pass asks
// active(name) before building optional tensors (attention matrices) at all.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "hooks/intervention.h"

namespace osc {

// A function run at every hook point its glob matches (the Python module's hooks): it may read
// data [shape] and edit it in place; the rest of the pass sees the edit.
using HookCallback = std::function<void(const std::string& name, float* data, const Shape& shape)>;

class HookSet {
 public:
  void capture(std::string glob);
  void capture_all() { capture("*"); }
  void intervene(Intervention iv);
  // Every point of the pass is checked for NaN / Inf, and the first one found throws BadInput
  // naming the hook, the token and the channel (hooks/finite_check.h). Costs one read per value.
  void require_finite() { require_finite_ = true; }
  void call(std::string glob, HookCallback fn);

  bool captures(std::string_view name) const;
  bool intervenes(std::string_view name) const;  // an intervention or a callback may edit the point
  // True when the point needs to be computed and reported (captured or intervened on).
  bool active(std::string_view name) const { return captures(name) || intervenes(name); }
  bool empty() const { return capture_globs_.empty() && interventions_.empty() && callbacks_.empty() && !require_finite_; }

  // Called by the forward pass: checks data [shape] when required, applies the interventions, then
  // the callbacks, to it in place, then stores a copy if captured.
  void on(const std::string& name, float* data, const Shape& shape);

  // Captured tensors by hook name, and their names in the order the pass produced them.
  const std::map<std::string, Tensor>& captured() const { return captured_; }
  const std::vector<std::string>& captured_order() const { return order_; }
  const Tensor& get(const std::string& name) const;  // BadInput naming the hook if not captured
  void clear_captured();
  // Hands the captured tensors over (no copy) and clears them.
  std::map<std::string, Tensor> take_captured();

  // Capture globs and intervention hooks that matched no point in any pass so far: the CLI turns
  // these into errors naming the pattern (a typo would otherwise silently capture nothing).
  std::vector<std::string> unmatched_patterns() const;
  // BadInput "<where>: no hook point matches 'a', 'b' (see docs/hooks.md for the names)" if any.
  void throw_if_unmatched(const std::string& where) const;

 private:
  std::vector<std::string> capture_globs_;
  std::vector<Intervention> interventions_;
  std::vector<std::pair<std::string, HookCallback>> callbacks_;  // (glob, function)
  std::vector<bool> glob_used_, intervention_used_, callback_used_;
  std::map<std::string, Tensor> captured_;
  std::vector<std::string> order_;
  bool require_finite_ = false;
};

}  // namespace osc
