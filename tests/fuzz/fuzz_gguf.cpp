// Fuzzes the GGUF reader, every typed getter and the GGUF -> ModelConfig parser. Any exception
// other than osc::Error (bad input, reported cleanly) escapes and counts as a crash.
#include "core/error.h"
#include "model/arch/gguf_config.h"
#include "formats/gguf.h"
#include "fuzz_input_file.h"

namespace {

void exercise_getters(const osc::GgufFile& g) {
  for (const auto& [key, value] : g.metadata()) {
    value.to_display();
    try { g.get_i64(key); } catch (const osc::Error&) {}
    try { g.get_f64(key); } catch (const osc::Error&) {}
    try { g.get_string(key); } catch (const osc::Error&) {}
    try { g.get_string_array(key); } catch (const osc::Error&) {}
    try { g.get_f32_array(key); } catch (const osc::Error&) {}
    try { g.get_i32_array(key); } catch (const osc::Error&) {}
  }
  for (const auto& [name, view] : g.tensors())
    if (view.nbytes <= (1u << 20) && view.rows() > 0) view.to_f32();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = osc::fuzz::write_input(data, size, ".gguf");
  try {
    osc::GgufFile g = osc::GgufFile::open(path);
    exercise_getters(g);
    osc::config_from_gguf(g);
  } catch (const osc::Error&) {
  }
  return 0;
}
