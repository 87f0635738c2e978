#include "hooks/hook_set.h"

#include <algorithm>

#include "core/error.h"
#include "hooks/finite_check.h"
#include "hooks/glob.h"

namespace osc {

void HookSet::capture(std::string glob) {
  capture_globs_.push_back(std::move(glob));
  glob_used_.push_back(false);
}

void HookSet::intervene(Intervention iv) {
  interventions_.push_back(std::move(iv));
  intervention_used_.push_back(false);
}

void HookSet::call(std::string glob, HookCallback fn) {
  callbacks_.emplace_back(std::move(glob), std::move(fn));
  callback_used_.push_back(false);
}

bool HookSet::captures(std::string_view name) const {
  return std::any_of(capture_globs_.begin(), capture_globs_.end(),
                     [&](const std::string& g) { return glob_match(g, name); });
}

bool HookSet::intervenes(std::string_view name) const {
  return std::any_of(interventions_.begin(), interventions_.end(),
                     [&](const Intervention& iv) { return glob_match(iv.hook, name); }) ||
         std::any_of(callbacks_.begin(), callbacks_.end(), [&](const auto& c) { return glob_match(c.first, name); });
}

void HookSet::on(const std::string& name, float* data, const Shape& shape) {
  if (require_finite_)
    if (const auto problem = first_non_finite(name, data, shape))
      throw_bad_input(name, *problem + " (the first hook point of the pass with one: check the weights and the config)");
  for (size_t i = 0; i < interventions_.size(); ++i) {
    if (!glob_match(interventions_[i].hook, name)) continue;
    intervention_used_[i] = true;
    apply_intervention(interventions_[i], name, data, shape);
  }
  for (size_t i = 0; i < callbacks_.size(); ++i) {
    if (!glob_match(callbacks_[i].first, name)) continue;
    callback_used_[i] = true;
    callbacks_[i].second(name, data, shape);
  }
  bool wanted = false;
  for (size_t i = 0; i < capture_globs_.size(); ++i) {
    if (!glob_match(capture_globs_[i], name)) continue;
    glob_used_[i] = true;
    wanted = true;
  }
  if (!wanted) return;
  Tensor copy(shape, data);
  if (captured_.find(name) == captured_.end()) order_.push_back(name);
  captured_[name] = std::move(copy);
}

const Tensor& HookSet::get(const std::string& name) const {
  auto it = captured_.find(name);
  if (it == captured_.end()) throw_bad_input("hooks", "hook '" + name + "' was not captured");
  return it->second;
}

void HookSet::clear_captured() {
  captured_.clear();
  order_.clear();
}

std::map<std::string, Tensor> HookSet::take_captured() {
  std::map<std::string, Tensor> out = std::move(captured_);
  clear_captured();
  return out;
}

std::vector<std::string> HookSet::unmatched_patterns() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < capture_globs_.size(); ++i)
    if (!glob_used_[i]) out.push_back(capture_globs_[i]);
  for (size_t i = 0; i < interventions_.size(); ++i)
    if (!intervention_used_[i]) out.push_back(interventions_[i].hook);
  for (size_t i = 0; i < callbacks_.size(); ++i)
    if (!callback_used_[i]) out.push_back(callbacks_[i].first);
  return out;
}

void HookSet::throw_if_unmatched(const std::string& where) const {
  const std::vector<std::string> unmatched = unmatched_patterns();
  if (unmatched.empty()) return;
  std::string list;
  for (const std::string& p : unmatched) list += (list.empty() ? "'" : ", '") + p + "'";
  throw_bad_input(where, "no hook point matches " + list + " (see docs/hooks.md for the names)");
}

}  // namespace osc
