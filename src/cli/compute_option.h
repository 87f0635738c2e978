// --compute f32|bf16, the precision of the forward pass (model/compute_precision.h), for every
// command that runs one: run, scan, perplexity, generate.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "model/compute_precision.h"
#include "model/model.h"

namespace osc::cli {

inline void add_compute_option(CLI::App& sub, std::string& compute) {
  sub.add_option("--compute", compute,
                 "Activation precision: f32 (analysis fidelity), or bf16 to reproduce a Hugging Face run of the "
                 "model in torch.bfloat16 (rounds where HF's bf16 module does; llama, mistral, mixtral, qwen2, "
                 "gpt2; docs/hooks.md)")
      ->check(CLI::IsMember({"f32", "bf16"}))
      ->capture_default_str();
}

// Model::load, then the precision --compute asked for.
inline Model load_model(const std::string& path, const std::string& compute) {
  Model m = Model::load(path);
  m.use_compute(parse_compute(compute));
  return m;
}

}  // namespace osc::cli
