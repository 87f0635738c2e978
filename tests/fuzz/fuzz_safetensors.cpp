// Fuzzes the safetensors header parser and validation (and reading every tensor it accepts).
#include "core/error.h"
#include "formats/safetensors.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = osc::fuzz::write_input(data, size, ".safetensors");
  try {
    osc::SafetensorsContents c = osc::read_safetensors(path);
    for (const auto& [name, view] : c.tensors)
      if (view.nbytes <= (1u << 20) && view.rows() > 0) view.to_f32();
  } catch (const osc::Error&) {
  }
  return 0;
}
