// Writes a synth checkpoint as a GGUF with quantized weight matrices, for benchmarks of our GGUF
// path that need no llama.cpp (bench/run_gguf_7b.sh makes its files with llama-quantize, for the
// peer): the tests' converter (tests/support/hf_to_gguf.h, llama.cpp's names and quantization rule).
//   build/bench/hf_to_gguf HF_DIR OUT.gguf q8_0|q4_0|q4_k|q5_k|q6_k
// HF_DIR holds config.json and one model.safetensors (synth --max-shard-gb large enough).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "core/dtype.h"
#include "support/hf_to_gguf.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s HF_DIR OUT.gguf q8_0|q4_0|q4_k|q5_k|q6_k\n", argv[0]);
    return 2;
  }
  const std::string type = argv[3];
  osc::test::GgufConversion options;
  if (type == "q8_0") options.weights = osc::DType::Q8_0;
  else if (type == "q4_0") options.weights = osc::DType::Q4_0;
  else if (type == "q4_k") options.weights = osc::DType::Q4_K;
  else if (type == "q5_k") options.weights = osc::DType::Q5_K;
  else if (type == "q6_k") options.weights = osc::DType::Q6_K;
  else {
    std::fprintf(stderr, "hf_to_gguf: unknown weight type '%s' (q8_0, q4_0, q4_k, q5_k, q6_k)\n", argv[3]);
    return 2;
  }
  for (const char* file : {"config.json", "model.safetensors"})
    if (!std::filesystem::is_regular_file(std::filesystem::path(argv[1]) / file)) {
      std::fprintf(stderr, "hf_to_gguf: %s: no %s there\n", argv[1], file);
      return 2;
    }
  try {
    osc::test::convert_hf_to_gguf(argv[1], argv[2], options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hf_to_gguf: %s\n", e.what());
    return 2;
  }
  return 0;
}
