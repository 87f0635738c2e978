#include "model/kv_cache.h"

#include <algorithm>

namespace osc {

KvCache::KvCache(const ModelConfig& c)
    : kv_heads_(c.n_kv_heads),
      d_head_(c.d_head),
      row_(c.n_kv_heads * c.d_head),
      keys_(static_cast<size_t>(std::max<int64_t>(c.n_layers, 0))),
      values_(keys_.size()) {}

bool KvCache::fits(const ModelConfig& c) const {
  return c.n_layers == layers() && c.n_kv_heads == kv_heads_ && c.d_head == d_head_;
}

void KvCache::store(int64_t layer, const float* k, const float* v, int64_t tokens) {
  const size_t start = static_cast<size_t>(length_ * row_), count = static_cast<size_t>(tokens * row_);
  std::vector<float>& keys = keys_[static_cast<size_t>(layer)];
  std::vector<float>& values = values_[static_cast<size_t>(layer)];
  // resize also drops what a failed pass left past length_.
  keys.resize(start + count);
  values.resize(start + count);
  std::copy_n(k, count, keys.begin() + static_cast<std::ptrdiff_t>(start));
  std::copy_n(v, count, values.begin() + static_cast<std::ptrdiff_t>(start));
}

}  // namespace osc
