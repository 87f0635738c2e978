// NamedTensors: the tensors of a checkpoint by their source names, in file order, as views in
// their stored dtype (PyTorch-order shapes). Every reader in formats/ returns one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace osc {

class NamedTensors {
 public:
  // Throws BadInput naming `where` if `name` is already present (duplicate tensor names).
  void add(const std::string& where, std::string name, TensorView view);
  // Adds every tensor of `other`, with the same duplicate check.
  void merge(const std::string& where, const NamedTensors& other);

  // find and get record the tensor as used (see unused_names).
  const TensorView* find(const std::string& name) const;
  // Throws BadInput "<where>: tensor '<name>' not found".
  const TensorView& get(const std::string& name, const std::string& where) const;
  bool contains(const std::string& name) const { return index_.count(name) != 0; }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, TensorView>>& entries() const { return entries_; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  // Use tracking, so that binding can refuse a checkpoint with tensors nobody reads (a config
  // that says 3 layers for a 5-layer file). Not thread-safe: binding is single-threaded.
  void forget_uses() const;
  std::vector<std::string> unused_names() const;  // in file order

  int64_t total_elements() const;
  uint64_t total_bytes() const;

 private:
  std::vector<std::pair<std::string, TensorView>> entries_;
  std::unordered_map<std::string, size_t> index_;
  mutable std::vector<uint8_t> used_;  // per entry: read by find / get since forget_uses
};

}  // namespace osc
