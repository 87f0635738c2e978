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
// and DIR/input_ids.npy (<i4). Creates DIR.
void write_captures_npy(const std::string& dir, const HookSet& hooks, const std::vector<int32_t>& tokens);

// One .npy file of a float32 or int32 array (dtype_descr "<f4" or "<i4").
void write_npy(const std::string& path, const std::string& dtype_descr, const Shape& shape, const void* data,
               size_t nbytes);

}  // namespace osc
