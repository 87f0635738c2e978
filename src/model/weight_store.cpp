#include "model/weight_store.h"

#include "core/error.h"

namespace osc {

const TensorView* WeightStore::find(const std::string& name) const {
  auto it = weights_.find(name);
  return it == weights_.end() ? nullptr : &it->second;
}

const TensorView& WeightStore::get(const std::string& name) const {
  const TensorView* v = find(name);
  if (!v) throw_bad_input("model", "weight '" + name + "' is missing");
  return *v;
}

const float* WeightStore::f32_or_null(const std::string& name) const {
  const TensorView* v = find(name);
  if (!v) return nullptr;
  if (v->dtype != DType::F32) throw_internal("model", "weight '" + name + "' was not converted to f32");
  return static_cast<const float*>(v->data);
}

std::vector<std::string> WeightStore::names() const {
  std::vector<std::string> out;
  out.reserve(weights_.size());
  for (const auto& [name, view] : weights_) out.push_back(name);
  return out;
}

std::string layer_weight_prefix(int64_t layer) { return "blocks." + std::to_string(layer) + "."; }

}  // namespace osc
