#include "formats/rope_layout.h"

#include <cstring>
#include <vector>

#include "core/error.h"

namespace osc {

TensorView unpermute_rope_rows(const TensorView& w, int64_t n_heads) {
  const int64_t rows = w.rank() >= 1 ? w.shape.front() : 0;
  OSC_CHECK_INPUT(w.rank() == 2 && n_heads > 0 && rows % n_heads == 0 && (rows / n_heads) % 2 == 0, "unpermute_rope_rows",
                  "shape " + shape_to_string(w.shape) + " does not split into " + std::to_string(n_heads) +
                      " heads of even size");
  const int64_t d_head = rows / n_heads, half = d_head / 2;
  const uint64_t row_bytes = w.row_bytes();
  auto buffer = std::make_shared<std::vector<uint8_t>>(row_bytes * static_cast<uint64_t>(rows));
  const auto* src = static_cast<const uint8_t*>(w.data);
  for (int64_t h = 0; h < n_heads; ++h)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < half; ++j) {
        const uint64_t to = static_cast<uint64_t>(h * d_head + i * half + j);
        const uint64_t from = static_cast<uint64_t>(h * d_head + 2 * j + i);
        std::memcpy(buffer->data() + to * row_bytes, src + from * row_bytes, row_bytes);
      }
  TensorView out = w;
  out.data = buffer->data();
  out.nbytes = buffer->size();
  out.owner = buffer;
  return out;
}

}  // namespace osc
