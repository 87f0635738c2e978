// Where an installed outlierscope finds the files it needs at run time: `cmake --install` puts the
// program in <prefix>/bin and its data (the plotly.js bundle for report.html, the built-in default
// model) in <prefix>/share/outlierscope, found relative to the running program so that an
// installed (or moved) prefix works from any directory.
#pragma once
#include <string>

namespace osc {

// <folder of the running program>/../share/outlierscope/<relative> if that exists, else "".
std::string installed_data_path(const std::string& relative);

}  // namespace osc
