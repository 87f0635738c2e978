#include "model/default_model.h"

#include <filesystem>

#include "core/error.h"

namespace osc {

std::string default_model_dir(const std::string& where) {
  const std::string dir = std::string(OUTLIERSCOPE_MODELS_DIR) + "/default";
  OSC_CHECK_INPUT(std::filesystem::exists(dir), where,
                  "no MODEL given and the built-in default model " + dir + " is not installed");
  return dir;
}

}  // namespace osc
