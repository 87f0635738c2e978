#include "model/arch/fused.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "model/arch/arch.h"
#include "model/bind_weights.h"

namespace osc {
namespace {

// An owned copy of the given rows of a 2-D tensor, in its stored dtype. [rows.size(), row_length]
TensorView gather_rows(const TensorView& v, const std::vector<int64_t>& rows) {
  const uint64_t row_bytes = v.row_bytes();
  auto buffer = std::make_shared<std::vector<uint8_t>>(row_bytes * rows.size());
  for (size_t i = 0; i < rows.size(); ++i) std::memcpy(buffer->data() + i * row_bytes, v.row_ptr(rows[i]), row_bytes);
  TensorView out = v;
  out.shape = {static_cast<int64_t>(rows.size()), v.row_length()};
  out.data = buffer->data();
  out.nbytes = buffer->size();
  out.owner = buffer;
  return out;
}

// Row indices of q, k and v in a Grouped fused weight (see QkvOrder).
struct QkvRows {
  std::vector<int64_t> q, k, v;
};

QkvRows grouped_rows(const ModelConfig& c) {
  QkvRows r;
  const int64_t group = c.kv_group(), dh = c.d_head, stride = (group + 2) * dh;
  for (int64_t g = 0; g < c.n_kv_heads; ++g) {
    const int64_t base = g * stride;
    for (int64_t i = 0; i < group * dh; ++i) r.q.push_back(base + i);
    for (int64_t i = 0; i < dh; ++i) r.k.push_back(base + group * dh + i);
    for (int64_t i = 0; i < dh; ++i) r.v.push_back(base + (group + 1) * dh + i);
  }
  return r;
}

TensorView bias_rows_f32(const TensorView& bias, const std::vector<int64_t>& rows) {
  const std::vector<float> all = bias.to_f32();
  auto buffer = std::make_shared<std::vector<float>>();
  buffer->reserve(rows.size());
  for (int64_t r : rows) buffer->push_back(all[static_cast<size_t>(r)]);
  TensorView out;
  out.dtype = DType::F32;
  out.shape = {static_cast<int64_t>(rows.size())};
  out.data = buffer->data();
  out.nbytes = buffer->size() * sizeof(float);
  out.owner = buffer;
  return out;
}

}  // namespace

void bind_fused_qkv(const TensorView& weight, const TensorView* bias, QkvOrder order, const ModelConfig& c,
                    int64_t layer, WeightStore& w, const std::string& where) {
  const int64_t q_rows = c.n_heads * c.d_head, kv_rows = c.n_kv_heads * c.d_head;
  const int64_t rows = q_rows + 2 * kv_rows;
  const std::string p = "blocks." + std::to_string(layer) + ".attn.";
  OSC_CHECK_INPUT(weight.rank() == 2 && weight.shape[0] == rows && weight.shape[1] == c.d_model, where,
                  "fused qkv weight of layer " + std::to_string(layer) + " has shape " + shape_to_string(weight.shape) +
                      " but the config implies [" + std::to_string(rows) + ", " + std::to_string(c.d_model) + "]");
  OSC_CHECK_INPUT(!bias || (bias->rank() == 1 && bias->shape[0] == rows), where,
                  "fused qkv bias of layer " + std::to_string(layer) + " has shape " +
                      shape_to_string(bias ? bias->shape : Shape{}) + ", expected [" + std::to_string(rows) + "]");
  if (order == QkvOrder::Blocked || c.n_kv_heads == 1) {
    w.set(p + "q", slice_rows(weight, 0, q_rows));
    w.set(p + "k", slice_rows(weight, q_rows, kv_rows));
    w.set(p + "v", slice_rows(weight, q_rows + kv_rows, kv_rows));
    if (!bias) return;
    w.set(p + "q.bias", slice_vector_f32(*bias, 0, q_rows));
    w.set(p + "k.bias", slice_vector_f32(*bias, q_rows, kv_rows));
    w.set(p + "v.bias", slice_vector_f32(*bias, q_rows + kv_rows, kv_rows));
    return;
  }
  const QkvRows r = grouped_rows(c);
  w.set(p + "q", gather_rows(weight, r.q));
  w.set(p + "k", gather_rows(weight, r.k));
  w.set(p + "v", gather_rows(weight, r.v));
  if (!bias) return;
  w.set(p + "q.bias", bias_rows_f32(*bias, r.q));
  w.set(p + "k.bias", bias_rows_f32(*bias, r.k));
  w.set(p + "v.bias", bias_rows_f32(*bias, r.v));
}

void bind_fused_qkv_layers(const NamedTensors& source, const std::string& stem, QkvOrder order, const ModelConfig& c,
                           LayerRange layers, WeightStore& w, const std::string& where) {
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = expand_name(stem, l);
    const TensorView* bias = c.attn_qkv_bias ? &source.get(p + ".bias", where) : nullptr;
    bind_fused_qkv(source.get(p + ".weight", where), bias, order, c, l, w, where);
  }
}

namespace {

// dst [cols, rows] = srcᵀ for src [rows, cols] of trivially copyable elements. Blocks of 64 x 64
// keep both the source rows and the destination rows in cache.
template <typename Element>
void transpose_elements(const void* src_bytes, int64_t rows, int64_t cols, void* dst_bytes) {
  const auto* src = static_cast<const Element*>(src_bytes);
  auto* dst = static_cast<Element*>(dst_bytes);
  constexpr int64_t kBlock = 64;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
      for (int64_t r = r0; r < std::min(rows, r0 + kBlock); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + kBlock); ++c) dst[c * rows + r] = src[r * cols + c];
}

}  // namespace

TensorView transpose_stored(const TensorView& v, const std::string& where) {
  OSC_CHECK_INPUT(v.rank() == 2, where, "expected a 2-D Conv1D weight, got shape " + shape_to_string(v.shape));
  OSC_CHECK_INPUT(!dtype_is_quantized(v.dtype), where,
                  "cannot transpose a " + std::string(dtype_name(v.dtype)) + " Conv1D weight");
  const int64_t in = v.shape[0], out_features = v.shape[1];
  auto buffer = std::make_shared<std::vector<uint8_t>>(v.nbytes);
  switch (dtype_block_bytes(v.dtype)) {
    case 8: transpose_elements<uint64_t>(v.data, in, out_features, buffer->data()); break;
    case 4: transpose_elements<uint32_t>(v.data, in, out_features, buffer->data()); break;
    case 2: transpose_elements<uint16_t>(v.data, in, out_features, buffer->data()); break;
    default: transpose_elements<uint8_t>(v.data, in, out_features, buffer->data()); break;
  }
  TensorView t = v;
  t.shape = {out_features, in};
  t.data = buffer->data();
  t.owner = buffer;
  return t;
}

TensorView slice_vector_f32(const TensorView& v, int64_t first, int64_t count) {
  TensorView as_rows = v;
  as_rows.shape = {v.numel(), 1};
  TensorView slice = slice_rows(as_rows, first, count);
  slice.shape = {count};
  return to_owned_f32(slice);
}

void require_hf_source(const ModelConfig& c) {
  OSC_CHECK_INPUT(c.source_format == "hf", c.architecture,
                  c.architecture + " checkpoints in " + c.source_format +
                      " format are not supported (use the Hugging Face safetensors checkpoint)");
}

}  // namespace osc
