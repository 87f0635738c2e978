// The fused-weight helpers of model/arch/fused.h on hand-made tensors: which source rows become q, k and
// v in each order (written out by hand from the HF _split_heads layouts), and a Conv1D transpose.
#include <gtest/gtest.h>

#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

// A [rows, 1] F32 tensor whose row i holds the value i, so a bound view tells which rows it took.
struct RowIds {
  std::vector<float> values;
  TensorView view;
  explicit RowIds(int64_t rows) : values(static_cast<size_t>(rows)) {
    for (int64_t i = 0; i < rows; ++i) values[static_cast<size_t>(i)] = static_cast<float>(i);
    view.dtype = DType::F32;
    view.shape = {rows, 1};
    view.data = values.data();
    view.nbytes = values.size() * sizeof(float);
  }
};

ModelConfig heads(int64_t n_heads, int64_t n_kv_heads) {
  ModelConfig c;
  c.d_model = 1;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv_heads;
  c.d_head = 1;
  return c;
}

std::vector<float> rows_of(const WeightStore& w, const std::string& name) { return w.get(name).to_f32(); }

TEST(FusedQkv, GroupedOrderPerKvHead) {
  // Falcon-40B style, 4 query heads in 2 groups: [q0 q1 k0 v0 | q2 q3 k1 v1].
  RowIds fused(8);
  WeightStore w;
  bind_fused_qkv(fused.view, nullptr, QkvOrder::Grouped, heads(4, 2), 0, w, "test");
  EXPECT_EQ(rows_of(w, "blocks.0.attn.q"), (std::vector<float>{0, 1, 4, 5}));
  EXPECT_EQ(rows_of(w, "blocks.0.attn.k"), (std::vector<float>{2, 6}));
  EXPECT_EQ(rows_of(w, "blocks.0.attn.v"), (std::vector<float>{3, 7}));
}

TEST(FusedQkv, GroupedWithOneQueryPerGroupIsNeoxInterleaving) {
  // GPT-NeoX, 2 heads: [q0 k0 v0 | q1 k1 v1]; the bias follows the same rows.
  RowIds fused(6);
  TensorView bias = fused.view;
  bias.shape = {6};
  WeightStore w;
  bind_fused_qkv(fused.view, &bias, QkvOrder::Grouped, heads(2, 2), 1, w, "test");
  EXPECT_EQ(rows_of(w, "blocks.1.attn.q"), (std::vector<float>{0, 3}));
  EXPECT_EQ(rows_of(w, "blocks.1.attn.k"), (std::vector<float>{1, 4}));
  EXPECT_EQ(rows_of(w, "blocks.1.attn.v"), (std::vector<float>{2, 5}));
  EXPECT_EQ(rows_of(w, "blocks.1.attn.v.bias"), (std::vector<float>{2, 5}));
}

TEST(FusedQkv, MultiQueryAndBlockedAreContiguousSlices) {
  RowIds falcon7b(5);  // 3 query heads, one kv head: [q0 q1 q2 k v]
  WeightStore w;
  bind_fused_qkv(falcon7b.view, nullptr, QkvOrder::Grouped, heads(3, 1), 0, w, "test");
  EXPECT_EQ(rows_of(w, "blocks.0.attn.q"), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(rows_of(w, "blocks.0.attn.k"), (std::vector<float>{3}));
  EXPECT_EQ(w.get("blocks.0.attn.q").data, falcon7b.view.data);  // a view, not a copy
  RowIds mpt(6);  // MPT Wqkv, 2 heads: [q0 q1 k0 k1 v0 v1]
  bind_fused_qkv(mpt.view, nullptr, QkvOrder::Blocked, heads(2, 2), 0, w, "test");
  EXPECT_EQ(rows_of(w, "blocks.0.attn.k"), (std::vector<float>{2, 3}));
  EXPECT_EQ(rows_of(w, "blocks.0.attn.v"), (std::vector<float>{4, 5}));
}

TEST(FusedQkv, WrongRowCountIsBadInput) {
  RowIds fused(7);
  WeightStore w;
  EXPECT_THROW(bind_fused_qkv(fused.view, nullptr, QkvOrder::Grouped, heads(4, 2), 0, w, "test"), Error);
}

TEST(Conv1D, TransposeKeepsTheStoredDtype) {
  // [in 2, out 3] = [[1 2 3], [4 5 6]] in bf16 -> [3, 2] = [[1 4], [2 5], [3 6]].
  std::vector<uint16_t> bf16;
  for (float v : {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}) bf16.push_back(f32_to_bf16(v));
  TensorView conv{DType::BF16, {2, 3}, bf16.data(), bf16.size() * 2, nullptr};
  const TensorView t = transpose_stored(conv, "test");
  EXPECT_EQ(t.dtype, DType::BF16);
  EXPECT_EQ(t.shape, (Shape{3, 2}));
  EXPECT_EQ(t.to_f32(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

}  // namespace
}  // namespace osc
