#include "plot/style.h"

#include <plplot/plplot.h>

#include <cmath>
#include <cstdio>

namespace osc::plot::style {
namespace {

struct Rgb {
  int r, g, b;
};

// Curve colours as in the paper's layer-wise plots (blue, green, purple, grey first).
constexpr Rgb kSeriesRgb[kSeriesCount] = {{90, 150, 230}, {40, 175, 115}, {150, 90, 190}, {110, 110, 110},
                                          {240, 160, 40}, {220, 60, 60},  {30, 160, 170}, {160, 110, 60}};

}  // namespace

void apply_palette() {
  plscol0(kBackground, 255, 255, 255);
  plscol0(kInk, 40, 40, 40);
  plscol0(kGrid, 215, 215, 215);
  plscol0(kOutlier, 255, 0, 255);
  plscol0(kNormal, 65, 105, 225);
  plscol0(kWeight, 20, 130, 40);
  for (int i = 0; i < kSeriesCount; ++i) plscol0(kSeries0 + i, kSeriesRgb[i].r, kSeriesRgb[i].g, kSeriesRgb[i].b);
  plwidth(kThinLine);
}

void use_colour(int colour) { plcol0(colour); }

int series_colour(size_t index) { return kSeries0 + static_cast<int>(index % kSeriesCount); }

void bold_font() { plsfont(PL_FCI_SANS, PL_FCI_UPRIGHT, PL_FCI_BOLD); }
void regular_font() { plsfont(PL_FCI_SANS, PL_FCI_UPRIGHT, PL_FCI_MEDIUM); }

void apply_heat_map() {
  // Intensity stops of a YlGnBu-like map: low values pale yellow, high values navy.
  PLFLT pos[] = {0.0, 0.15, 0.4, 0.7, 1.0};
  PLFLT r[] = {1.0, 0.93, 0.50, 0.16, 0.03};
  PLFLT g[] = {1.0, 0.97, 0.80, 0.50, 0.19};
  PLFLT b[] = {0.85, 0.70, 0.73, 0.73, 0.42};
  plscmap1n(256);
  plscmap1l(1, 5, pos, r, g, b, nullptr);
}

std::string plot_text(const std::string& text) {
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == '#') out += "##";
    else if (ch == '\n') out += "\\n";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string compact_number(double v) {
  if (!std::isfinite(v)) return "nan";
  const double a = std::fabs(v);
  char buf[32];
  if (a == 0.0) return "0";
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%gM", std::round(v / 1e5) / 10.0);
  else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%gk", std::round(v / 1e2) / 10.0);
  else if (a >= 10) std::snprintf(buf, sizeof buf, "%g", std::round(v * 10.0) / 10.0);
  else std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace osc::plot::style
