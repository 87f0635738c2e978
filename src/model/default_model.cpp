#include "model/default_model.h"

#include <filesystem>

#include "core/error.h"
#include "core/install_paths.h"

namespace osc {

std::string default_model_dir(const std::string& where) {
  // An installed program's copy first (core/install_paths.h), then the source tree's.
  const std::string installed = installed_data_path("models/default");
  const std::string dir = installed.empty() ? std::string(OUTLIERSCOPE_MODELS_DIR) + "/default" : installed;
  OSC_CHECK_INPUT(std::filesystem::exists(dir), where,
                  "no MODEL given and the built-in default model " + dir + " is not installed");
  return dir;
}

}  // namespace osc
