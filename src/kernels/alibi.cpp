#include "kernels/alibi.h"

#include <cmath>

#include "core/dtype.h"

namespace osc {

std::vector<float> alibi_slopes(int64_t n_heads, double bias_max) {
  int64_t padded = 1;
  while (padded < n_heads) padded *= 2;
  std::vector<float> all(static_cast<size_t>(padded));
  for (int64_t h = 0; h < padded; ++h)
    all[h] = static_cast<float>(std::pow(2.0, -bias_max * static_cast<double>(h + 1) / static_cast<double>(padded)));
  if (padded == n_heads) return all;
  std::vector<float> slopes;
  for (int64_t h = 1; h < padded && static_cast<int64_t>(slopes.size()) < n_heads; h += 2) slopes.push_back(all[h]);
  for (int64_t h = 0; h < padded && static_cast<int64_t>(slopes.size()) < n_heads; h += 2) slopes.push_back(all[h]);
  return slopes;
}

std::vector<float> model_alibi_slopes(const ModelConfig& c) {
  if (c.positional != Positional::ALiBi) return {};
  std::vector<float> slopes = alibi_slopes(c.n_heads, c.alibi_bias_max.value_or(8.0));
  if (c.alibi_style == AlibiStyle::FalconRW)
    for (float& s : slopes) s = bf16_to_f32(f32_to_bf16(s));  // HF: slopes[..., None].bfloat16()
  return slopes;
}

void use_model_alibi(const ModelConfig& c, const std::vector<float>& slopes, AttentionParams& p) {
  p.alibi_slopes = slopes.data();
  if (c.alibi_style == AlibiStyle::Mpt) return;
  // Falcon-RW: softmax((q·k + bf16(slope·j)) / sqrt(d_head)); the bias is built in bf16 from key
  // positions counted from 0.
  p.alibi_origin = AlibiOrigin::Zero;
  p.alibi_scale = p.scale;
  p.alibi_bf16 = true;
}

}  // namespace osc
