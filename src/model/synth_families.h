// The per-family functions behind the synth table (see synth_arch.h). Each family file writes the
// tensor names and config.json keys of its Hugging Face implementation.
#pragma once
#include <vector>

#include "model/synth_arch.h"

namespace osc::synth {

// synth_llama.cpp: LLaMA, Mistral, Qwen2 and Mixtral share one naming scheme.
ModelConfig llama_config(const SynthPreset& p);
ModelConfig mistral_config(const SynthPreset& p);
ModelConfig qwen2_config(const SynthPreset& p);
ModelConfig mixtral_config(const SynthPreset& p);
std::vector<SynthTensor> llama_tensors(const ModelConfig& c);
nlohmann::json llama_hf_config(const ModelConfig& c);

ModelConfig gpt2_config(const SynthPreset& p);
std::vector<SynthTensor> gpt2_tensors(const ModelConfig& c);
nlohmann::json gpt2_hf_config(const ModelConfig& c);

ModelConfig opt_config(const SynthPreset& p);
std::vector<SynthTensor> opt_tensors(const ModelConfig& c);
nlohmann::json opt_hf_config(const ModelConfig& c);

// Falcon-7B style (parallel block, one norm, multi-query) and Falcon-40B style (new decoder
// architecture: grouped fused qkv, ln_attn + ln_mlp).
ModelConfig falcon7b_config(const SynthPreset& p);
ModelConfig falcon40b_config(const SynthPreset& p);
std::vector<SynthTensor> falcon_tensors(const ModelConfig& c);
nlohmann::json falcon_hf_config(const ModelConfig& c);

ModelConfig mpt_config(const SynthPreset& p);
std::vector<SynthTensor> mpt_tensors(const ModelConfig& c);
nlohmann::json mpt_hf_config(const ModelConfig& c);

ModelConfig phi2_config(const SynthPreset& p);
std::vector<SynthTensor> phi2_tensors(const ModelConfig& c);
nlohmann::json phi2_hf_config(const ModelConfig& c);

ModelConfig gpt_neox_config(const SynthPreset& p);
std::vector<SynthTensor> gpt_neox_tensors(const ModelConfig& c);
nlohmann::json gpt_neox_hf_config(const ModelConfig& c);

}  // namespace osc::synth
