#include "train/param_store.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "train/parallel.h"

namespace osc::train {

int64_t ParamStore::add(ParamSpec spec) {
  ParamEntry e;
  e.numel = shape_numel(spec.shape);
  e.offset = total_;
  e.spec = std::move(spec);
  total_ += e.numel;
  entries_.push_back(std::move(e));
  return entries_.back().offset;
}

void ParamStore::allocate(bool with_values) {
  values.assign(with_values ? static_cast<size_t>(total_) : 0, 0.0f);
  grads.assign(static_cast<size_t>(total_), 0.0f);
}

void ParamStore::initialize(uint64_t seed, int64_t layers) {
  Rng rng(seed);
  const double residual_std = 0.02 / std::sqrt(2.0 * static_cast<double>(layers));
  for (const auto& e : entries_) {
    float* p = values.data() + e.offset;
    switch (e.spec.init) {
      case Init::Zeros: std::fill(p, p + e.numel, 0.0f); break;
      case Init::Ones: std::fill(p, p + e.numel, 1.0f); break;
      case Init::Normal:
      case Init::ResidualNormal: {
        const double std = e.spec.init == Init::Normal ? 0.02 : residual_std;
        for (int64_t i = 0; i < e.numel; ++i) p[i] = static_cast<float>(std * rng.normal());
        break;
      }
    }
  }
}

void ParamStore::zero_grads() {
  // 30M floats for a 6-layer, 50k-vocabulary model: worth both threads.
  parallel_for(total(), [&](int64_t begin, int64_t end) { std::fill(grads.data() + begin, grads.data() + end, 0.0f); });
}

const ParamEntry* ParamStore::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.spec.name == name) return &e;
  return nullptr;
}

}  // namespace osc::train
