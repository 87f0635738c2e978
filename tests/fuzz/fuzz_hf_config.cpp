// Fuzzes the HF config.json -> ModelConfig parser. JSON syntax errors are skipped (nlohmann's
// parser is not ours); any other exception than osc::Error is a crash.
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/arch/hf_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    osc::ModelConfig c = osc::config_from_hf(j, "config.json");
    osc::model_config_to_json(c);
  } catch (const osc::Error&) {
  }
  return 0;
}
