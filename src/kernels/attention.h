// Causal softmax attention with grouped KV heads (GQA/MQA), optional sliding window and ALiBi.
// The [T, T] matrices are only produced when the caller asks for them (hook_attn_scores /
// hook_pattern); otherwise queries are processed in blocks so memory stays O(block · T) per head.
#pragma once
#include <cstdint>
#include <optional>

namespace osc {

// Where ALiBi's linear bias is zero: bias(i, j) = slope · (j - origin).
enum class AlibiOrigin {
  Query,    // origin = i (the query's own position): relative distance, HF-style
  LastKey,  // origin = the last key position (MPT); differs from Query by a per-row constant
  Zero,     // origin = 0 (BLOOM / Falcon-RW)
};

struct AttentionParams {
  float scale = 1.0f;                    // multiplies q·k (usually 1/sqrt(d_head))
  std::optional<int64_t> sliding_window;  // key j visible from query i iff i - j < window
  const float* alibi_slopes = nullptr;    // [n_heads] or null
  AlibiOrigin alibi_origin = AlibiOrigin::Query;
  // The bias added is alibi_scale · round(slope · (j - origin)): Falcon-RW adds its bias to q·k
  // before the softmax scale (alibi_scale = scale) and builds it in bf16 (alibi_bf16).
  float alibi_scale = 1.0f;
  bool alibi_bf16 = false;
  // A bf16 pass (HF eager attention on bf16 tensors): q·k rounded to bf16, then its product with
  // the scale; the softmax in f32 on those, its probabilities rounded; z = P·V rounded.
  bool round_bf16 = false;
};

struct AttentionShape {
  int64_t queries = 0;      // Tq
  int64_t keys = 0;         // Tk >= Tq; query t sits at position Tk - Tq + t (KV cache aware)
  int64_t heads = 0;        // n_heads
  int64_t kv_heads = 0;     // n_kv_heads, divides n_heads
  int64_t d_head = 0;
};

// q [Tq, heads, d_head], k and v [Tk, kv_heads, d_head] → z [Tq, heads, d_head].
// scores and pattern, when non-null, receive [heads, Tq, Tk]: scaled logits (masked = -inf) and
// softmax probabilities.
void attention(const float* q, const float* k, const float* v, const AttentionShape& s,
               const AttentionParams& p, float* z, float* scores = nullptr, float* pattern = nullptr);

}  // namespace osc

namespace osc {

// Re-derives pattern [heads, Tq, Tk] = softmax(scores) row by row (-inf entries get 0); used when
// an intervention edited hook_attn_scores.
void softmax_rows(const float* scores, int64_t rows, int64_t cols, float* pattern);

// z [Tq, heads, d_head] = pattern [heads, Tq, Tk] · v [Tk, kv_heads, d_head]; used when an
// intervention edited hook_pattern (or hook_attn_scores).
void pattern_times_values(const float* pattern, const float* v, const AttentionShape& s, float* z);

}  // namespace osc
