// Writing captured hook tensors to disk: one safetensors file (with the token ids as "input_ids",
// like the reference files in tests/reference) or one .npy file per hook.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "hooks/hook_set.h"

namespace osc {

// Writes `input_ids` (I32 [T]) and every captured tensor (F32), atomically.
void write_captures_safetensors(const std::string& path, const HookSet& hooks, const std::vector<int32_t>& tokens,
                                const std::map<std::string, std::string>& metadata);

// Writes DIR/<hook name>.npy (NumPy format 1.0, little-endian f4, C order) per captured tensor,
// and DIR/input_ids.npy (<i4) (formats/npy.h). Creates DIR.
void write_captures_npy(const std::string& dir, const HookSet& hooks, const std::vector<int32_t>& tokens);

}  // namespace osc
