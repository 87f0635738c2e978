// AttentionVariant: what distinguishes the attention mechanisms of An et al. (ICLR 2025, Sec. 5) and
// Bondarenko et al. (2023), shared by the trainer (train/attention_layer.h) and the inference
// engine (model/variant_attention.cpp), so both compute one function. Each computes the scaled
// logits s = q.k / sqrt(d_head) of one query row over its n visible keys and asks the variant for
//   - the row's attention weights a[0..n) and the weight a_extra of the learned extra value v'
//     (an optional extra key k' adds the logit s_extra = q.k' / sqrt(d_head)),
//   - the backward of that map, and
//   - an optional per-head output gate g(z), z = x.W_g[h] + b_g[h] from the attention input x.
// Output of head h at row t: g(z) * (sum_j a_j v_j + a_extra v'). Each variant is one small file;
// adding one means writing that file and adding one line to the table in attention_variant.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace osc {

struct VariantParts {
  bool extra_key = false;    // learned k' per head ([heads, d_head]): adds logit s_extra
  bool extra_value = false;  // learned v' per head ([heads, d_head]), weighted by a_extra
  bool gate = false;         // per-head gate g(x.W_g + b_g), W_g [heads, dim], b_g [heads]
  bool implicit_slot = false;  // softmax1: an extra logit 0 whose value is the zero vector
};

// Whether a_extra means something (a hook value): the weight of v', or of softmax1's empty slot.
inline bool has_extra_slot(const VariantParts& p) { return p.extra_value || p.implicit_slot; }

struct VariantOptions {
  int64_t context = 0;  // the model's context length (sigmoid attention's -log T bias)
};

class AttentionVariant {
 public:
  virtual ~AttentionVariant() = default;
  virtual std::string_view name() const = 0;
  virtual VariantParts parts() const { return {}; }

  // s[0..n): scaled logits of the visible keys (n >= 1). Writes the saved row saved[0..n) (may
  // alias s) and *a_extra. The saved row is the attention weights unless saved_is_weights() is
  // false, in which case effective_weights() turns it into them.
  virtual void weights_forward(const float* s, int64_t n, float s_extra, float* saved, float* a_extra) const = 0;
  // d[0..n) holds dL/da on entry and dL/ds on return; *d_extra holds dL/da_extra on entry and
  // dL/ds_extra on return (only meaningful with an extra key).
  virtual void weights_backward(const float* saved, float a_extra, int64_t n, float* d, float* d_extra) const = 0;

  virtual bool saved_is_weights() const { return true; }
  virtual void effective_weights(const float* saved, int64_t n, float* a) const;

  virtual float gate(float z) const;             // only called when parts().gate
  virtual float gate_derivative(float z) const;  // dg/dz
};

// The registered variant with this name, or nullptr. Variants are stateless singletons except for
// options; make_attention_variant builds one configured for a model.
const AttentionVariant* find_attention_variant(std::string_view name);
std::unique_ptr<AttentionVariant> make_attention_variant(std::string_view name, const VariantOptions& options);
std::string attention_variant_names();  // "softmax, fixed_bias, ..."

// Shared row kernels for the softmax family.
// Softmax over s[0..n) plus an optional extra logit (use_extra); returns the extra's weight.
float softmax_row(const float* s, int64_t n, bool use_extra, float s_extra, float* out);
// In place: d <- a * (d - sum_j a_j d_j - a_extra * d_extra); d_extra likewise.
void softmax_row_backward(const float* a, float a_extra, int64_t n, bool use_extra, float* d, float* d_extra);

}  // namespace osc
