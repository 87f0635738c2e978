#include "report/plotly_asset.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/error.h"
#include "core/install_paths.h"

namespace osc::report {
namespace {

constexpr const char* kBundle = "node_modules/plotly.js-dist-min/plotly.min.js";
constexpr const char* kInstalledBundle = "plotly.min.js";  // under <prefix>/share/outlierscope

// The source tree comes from the build (CMakeLists.txt): __FILE__ is relative when the compiler
// cache rewrites paths, and a relative path breaks as soon as the program runs elsewhere.
std::string source_tree_bundle() { return (std::filesystem::path(OUTLIERSCOPE_SOURCE_TREE) / kBundle).string(); }

}  // namespace

std::string plotly_js_path() {
  if (const char* env = std::getenv("OUTLIERSCOPE_PLOTLY_JS"); env != nullptr && *env != '\0') return env;
#ifdef OUTLIERSCOPE_PLOTLY_JS
  return OUTLIERSCOPE_PLOTLY_JS;
#else
  if (std::string installed = installed_data_path(kInstalledBundle); !installed.empty()) return installed;
  return source_tree_bundle();
#endif
}

const std::string& plotly_js() {
  static std::once_flag once;
  static std::string text;
  std::call_once(once, [] {
    const std::string path = plotly_js_path();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_internal(path, "plotly.js bundle not found (run `npm ci` in the source tree, or set OUTLIERSCOPE_PLOTLY_JS)");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string loaded = ss.str();
    if (loaded.size() < 100000 || loaded.find("plotly.js") == std::string::npos)
      throw_internal(path, "does not look like the plotly.js-dist-min bundle");
    text = std::move(loaded);
  });
  if (text.empty()) throw_internal(plotly_js_path(), "plotly.js bundle could not be loaded");
  return text;
}

}  // namespace osc::report
