#include "core/dequant.h"

#include <cstring>
#include <string>

#include "core/error.h"

namespace osc {

void dequantize_row(DType type, const void* src, float* out, int64_t n) {
  const auto* bytes = static_cast<const uint8_t*>(src);
  switch (type) {
    case DType::F32:
      std::memcpy(out, src, static_cast<size_t>(n) * 4);
      return;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + 2 * i, 2);
        out[i] = f16_to_f32(h);
      }
      return;
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, bytes + 2 * i, 2);
        out[i] = bf16_to_f32(b);
      }
      return;
    default:
      throw_internal("dequantize_row", "no f32 conversion for dtype " + std::string(dtype_name(type)));
  }
}

}  // namespace osc
