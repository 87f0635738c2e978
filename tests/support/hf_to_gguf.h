// A test-side Hugging Face -> GGUF converter, written from llama.cpp's conventions
// (convert_hf_to_gguf.py, gguf-py's tensor names and metadata keys, llama-quantize's choice of
// which tensors to quantize), independently of the engine's tables in src/model/arch/. It reads
// config.json and model.safetensors of the families `outlierscope synth` writes and writes a
// GGUF with the engine's GgufWriter, quantizing with formats/gguf_quantize.h.
#pragma once
#include <string>

#include "core/dtype.h"

namespace osc::test {

struct GgufConversion {
  // Type of the weight matrices (and expert stacks) whose rows hold whole blocks; the others,
  // 1-D tensors, position_embd and ffn_gate_inp stay F32, as llama-quantize leaves them.
  DType weights = DType::F32;
  // When set, every tensor not written as F32 leaves there, for an independent decoder
  // (tests/reference/gguf_dequant_checkpoint.py): manifest.txt ("k dtype count" per tensor),
  // k.bin (its stored bytes), k.at (int64 per element: HF tensor index << 32 | flat index in it)
  // and hf_names.txt (the HF tensor names in index order).
  std::string sidecar_dir;
  // Phi-2 as older conversions (of the pre-transformers Phi code, mixer.Wqkv) stored it: one
  // attn_qkv per layer, q, k and v rows one after the other.
  bool fused_phi2_qkv = false;
  // Mixtral as conversions before llama.cpp stacked the experts stored it: one tensor per expert
  // (blk.N.ffn_gate.E.weight, ffn_down.E, ffn_up.E) instead of ffn_{gate,down,up}_exps.
  bool per_expert_mixtral = false;
};

// Converts hf_dir (config.json + model.safetensors) into gguf_path. Families: llama, mistral,
// mixtral (arch "llama"), qwen2, gpt2, falcon, mpt, phi (arch "phi2"), gpt_neox (arch "gptneox").
void convert_hf_to_gguf(const std::string& hf_dir, const std::string& gguf_path, const GgufConversion& options);

}  // namespace osc::test
