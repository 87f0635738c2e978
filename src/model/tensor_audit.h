// The audit after binding: every tensor of a checkpoint is either read by the engine or a known
// buffer, and every tensor read is floating point. A checkpoint whose config disagrees with its
// tensors (a 5-layer file with a 3-layer config, an export whose attention variant the engine
// ignored) would otherwise run on a subset of its weights with exit 0.
#pragma once
#include <string>

#include "formats/named_tensors.h"
#include "model/layer_range.h"

namespace osc {

// Throws BadInput naming `where` and the offending tensors (at most a few, then a count).
// Call after binding, with `source`'s uses recorded since NamedTensors::forget_uses. When only
// `layers` of the model's n_layers were bound, the tensors of its other layers (the first number
// in their name is a layer index in [0, n_layers) outside `layers`) are another process's to audit
// and are neither reported nor read.
void audit_bound_tensors(const NamedTensors& source, const std::string& where, int64_t n_layers, LayerRange layers);

// True for names of buffers that PyTorch saves beside the weights and the engine recomputes.
bool is_known_buffer(const std::string& name);

}  // namespace osc
