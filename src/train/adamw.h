// AdamW (Loshchilov & Hutter) as torch.optim.AdamW computes it, with decoupled weight decay applied
// only to tensors of rank >= 2 (matrices and embeddings, as nanoGPT does), plus the global-norm
// gradient clipping of torch.nn.utils.clip_grad_norm_.
#pragma once
#include <cstdint>
#include <vector>

#include "train/param_store.h"

namespace osc::train {

struct AdamWSettings {
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1;
};

class AdamW {
 public:
  AdamW(const ParamStore& params, AdamWSettings settings);
  // One update with learning rate `lr` from grad_scale * params.grads (grad_scale folds gradient
  // clipping into this pass; params.grads is left unscaled); increments step(). One parallel
  // region for all tensors.
  void update(ParamStore& params, double lr, float grad_scale = 1.0f);
  int64_t step() const { return step_; }
  void set_step(int64_t s) { step_ = s; }
  std::vector<float> m, v;  // first and second moments, the ParamStore's layout

 private:
  AdamWSettings settings_;
  std::vector<uint8_t> decays_;  // per entry: weight decay applies
  int64_t step_ = 0;
};

// Global L2 norm of all gradients (double partial sums over a fixed split per thread count).
double grad_norm(const ParamStore& params);
// The factor torch.nn.utils.clip_grad_norm_ scales gradients by: max_norm / (norm + 1e-6) when
// norm > max_norm > 0, else exactly 1.
float clip_scale(double norm, double max_norm);
// Scales all gradients so their global L2 norm is at most max_norm (no-op when max_norm <= 0);
// returns the norm before clipping. (The trainer instead passes clip_scale to AdamW::update.)
double clip_grad_norm(ParamStore& params, double max_norm);

// nanoGPT's schedule: linear warm-up over `warmup` steps, then cosine decay to lr/10 at `steps`.
double learning_rate_at(int64_t step, double lr, int64_t warmup, int64_t steps);

}  // namespace osc::train
