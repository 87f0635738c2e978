// The built-in default model (models/default/ of the source tree), which `scan` and the Python
// module's load() use when no model is given.
#pragma once
#include <string>

namespace osc {

// Its folder; BadInput "<where>: no MODEL given and the built-in default model DIR is not installed".
std::string default_model_dir(const std::string& where);

}  // namespace osc
