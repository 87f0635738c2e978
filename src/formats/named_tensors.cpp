#include "formats/named_tensors.h"

#include <algorithm>

#include "core/error.h"

namespace osc {

void NamedTensors::add(const std::string& where, std::string name, TensorView view) {
  OSC_CHECK_INPUT(index_.count(name) == 0, where, "duplicate tensor name '" + name + "'");
  index_.emplace(name, entries_.size());
  entries_.emplace_back(std::move(name), std::move(view));
  used_.push_back(0);
}

void NamedTensors::merge(const std::string& where, const NamedTensors& other) {
  for (const auto& [name, view] : other.entries_) add(where, name, view);
}

const TensorView* NamedTensors::find(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return nullptr;
  used_[it->second] = 1;
  return &entries_[it->second].second;
}

void NamedTensors::forget_uses() const { std::fill(used_.begin(), used_.end(), 0); }

std::vector<std::string> NamedTensors::unused_names() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (!used_[i]) out.push_back(entries_[i].first);
  return out;
}

const TensorView& NamedTensors::get(const std::string& name, const std::string& where) const {
  const TensorView* v = find(name);
  if (!v) throw_bad_input(where, "tensor '" + name + "' not found");
  return *v;
}

int64_t NamedTensors::total_elements() const {
  int64_t n = 0;
  for (const auto& e : entries_) n += e.second.numel();
  return n;
}

uint64_t NamedTensors::total_bytes() const {
  uint64_t n = 0;
  for (const auto& e : entries_) n += e.second.nbytes;
  return n;
}

}  // namespace osc
