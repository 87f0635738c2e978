#include "analysis/summary_format.h"

#include <cmath>
#include <cstdio>

namespace osc::analysis {

std::string three_digits(double value) {
  if (!std::isfinite(value)) return value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  const double a = std::fabs(value);
  char buf[48];
  if (a >= 1000.0 && a < 1e6) {
    const double step = std::pow(10.0, std::floor(std::log10(a)) - 2);  // keeps 3 digits
    std::snprintf(buf, sizeof buf, "%.0f", std::round(value / step) * step);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", value);
  }
  return buf;
}

std::string times_median(double magnitude, double median) {
  if (!(median > 0.0)) return three_digits(magnitude) + " (the median is 0)";
  return three_digits(magnitude) + ", " + three_digits(magnitude / median) + " times the median (" + three_digits(median) + ")";
}

std::string short_list(const std::vector<std::string>& items, size_t shown) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < shown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > shown) out += ", ... and " + std::to_string(items.size() - shown) + " more";
  return out;
}

}  // namespace osc::analysis
