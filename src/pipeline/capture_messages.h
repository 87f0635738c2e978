// The byte layout in which a pipeline stage sends its captured hook tensors to rank 0:
// u64 count, then per tensor u64 name length, the name, u64 rank, i64 dims[rank], f32 data[numel]
// (host byte order: the ranks of one job run the same build).
#pragma once
#include <cstddef>
#include <vector>

#include "hooks/hook_set.h"

namespace osc::pipeline {

// The tensors `hooks` captured, in the order the pass produced them.
std::vector<std::byte> pack_captures(const HookSet& hooks);
// Adds the tensors of `message` to `hooks` in their order; `hooks` captures everything
// (capture_all) and has no interventions, so each is stored as it was sent.
void unpack_captures(const std::vector<std::byte>& message, HookSet& hooks);

}  // namespace osc::pipeline
