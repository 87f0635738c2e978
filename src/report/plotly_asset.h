// The plotly.js bundle inlined into report.html. It comes from the npm package plotly.js-dist-min
// (installed by scripts/setup.sh into the source tree's node_modules; `cmake --install` copies it
// to <prefix>/share/outlierscope), found at run time so the 4.5 MB script is not compiled into
// the program.
#pragma once
#include <string>

namespace osc::report {

// Search order: $OUTLIERSCOPE_PLOTLY_JS, the path fixed at build time (OUTLIERSCOPE_PLOTLY_JS
// compile definition, if the build sets one), the installed copy beside the program
// (core/install_paths.h), then node_modules/plotly.js-dist-min/plotly.min.js in the source tree
// this file was compiled from.
std::string plotly_js_path();
// The script text; Internal error naming the searched path if it is missing or not plotly.js.
const std::string& plotly_js();

}  // namespace osc::report
