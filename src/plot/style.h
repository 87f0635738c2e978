// The house style of the static figures: one palette (cmap0 indices), line widths and text sizes,
// close to the paper's figures (magenta outlier tokens, blue other tokens, green weight rows).
#pragma once
#include <string>

namespace osc::plot::style {

// cmap0 colour indices set by apply_palette().
enum Colour : int {
  kBackground = 0,
  kInk = 1,        // axes, labels
  kGrid = 2,
  kOutlier = 3,    // outlier tokens / columns (magenta)
  kNormal = 4,     // other tokens (royal blue)
  kWeight = 5,     // weight rows (green)
  kSeries0 = 6,    // kSeries0 .. kSeries0 + kSeriesCount - 1: curves
};
inline constexpr int kSeriesCount = 8;

inline constexpr double kLineWidth = 2.0;
inline constexpr double kThinLine = 1.0;
inline constexpr double kTitleScale = 1.3;
inline constexpr double kLabelScale = 1.0;
inline constexpr double kTickScale = 0.85;

void apply_palette();            // sets cmap0 (call after plinit)
void use_colour(int colour);
int series_colour(size_t index);
void bold_font();
void regular_font();
// A sequential colour map (white -> yellow -> teal -> navy) in cmap1 for heatmaps.
void apply_heat_map();

// Text for PLplot: escapes its '#' escape character and replaces control characters with
// printable forms ("\n" -> "\\n"), so token pieces never act as PLplot commands.
std::string plot_text(const std::string& text);
// Compact numbers for ticks and labels: 0, 0.25, 12, 1.2k, 2.4k, 3M.
std::string compact_number(double v);

}  // namespace osc::plot::style
