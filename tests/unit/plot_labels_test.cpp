// Readable labels at any sequence length: the landscape's token labels are thinned so that no two
// label boxes (computed here from their positions and heights) overlap, outlier tokens kept
// first, on a 256-token window; layer axes get integer tick steps (no -0.5, 0.5, 1.5); a 256-token
// landscape and a 3-layer curve figure render.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/text_file.h"
#include "plot/figures.h"
#include "plot/label_layout.h"
#include "support/shared_data.h"

namespace osc::plot {
namespace {

constexpr int kTokens = 256;

// A 256-token window as the landscape places it: 0.9 mm between neighbouring rows across the
// text, tick labels 2.4 mm high, outlier tokens (every 9th, and the run 104..106) 3.0 mm.
std::vector<StackedLabel> window_labels() {
  std::vector<StackedLabel> labels(kTokens);
  for (int r = 0; r < kTokens; ++r) {
    const bool hot = r % 9 == 0 || (r >= 104 && r <= 106);
    labels[r] = {0.9 * r, hot ? 3.0 : 2.4, hot};
  }
  return labels;
}

TEST(PlotLabels, NoTwoTokenLabelBoxesOverlapOnA256TokenWindow) {
  const auto labels = window_labels();
  const auto kept = non_overlapping_labels(labels, 0.2);
  ASSERT_FALSE(kept.empty());
  for (size_t i = 0; i < kept.size(); ++i)
    for (size_t j = i + 1; j < kept.size(); ++j) {
      const StackedLabel& a = labels[kept[i]];
      const StackedLabel& b = labels[kept[j]];
      // The boxes' extents across the text: [centre - h/2, centre + h/2], apart by the gap.
      const double a_top = a.across_mm + a.height_mm / 2, b_bottom = b.across_mm - b.height_mm / 2;
      EXPECT_GE(b_bottom - a_top, 0.2 - 1e-9) << "labels " << kept[i] << " and " << kept[j] << " overlap";
    }
  // Dense enough to read the axis: the span (229.5 mm) holds at most 229.5 / 2.6 = 88 labels.
  EXPECT_GE(kept.size(), 50u);
  // Every outlier token that clears the other outliers is labelled: 0, 9, 18, ... (3.2 mm apart needs
  // 4 rows; 9 rows is enough), and of the run 104..106 the first one.
  for (int r = 0; r < kTokens; r += 9) EXPECT_TRUE(std::count(kept.begin(), kept.end(), size_t(r))) << r;
  EXPECT_TRUE(std::count(kept.begin(), kept.end(), size_t{104}));
  EXPECT_FALSE(std::count(kept.begin(), kept.end(), size_t{105}));
}

TEST(PlotLabels, AShortWindowKeepsEveryLabel) {
  std::vector<StackedLabel> labels;
  for (int r = 0; r < 10; ++r) labels.push_back({8.0 * r, 2.4, r == 4});
  EXPECT_EQ(non_overlapping_labels(labels, 0.2).size(), 10u);
}

TEST(PlotLabels, LayerAxesGetIntegerTicks) {
  // (lo, hi) as the curves pad them: 3 layers -> -0.5 .. 2.5 (PLplot alone chose 0.5 there).
  const std::vector<std::tuple<double, double, double>> cases = {
      {-0.5, 2.5, 1.0}, {-0.5, 3.5, 1.0}, {-1.0, 12.0, 2.0}, {-1.0, 32.0, 5.0}, {-2.4, 81.4, 10.0}};
  for (const auto& [lo, hi, want] : cases) {
    const double step = integer_tick_step(lo, hi, 10);
    EXPECT_EQ(step, want) << lo << ".." << hi;
    EXPECT_EQ(step, std::floor(step));
    EXPECT_LE((hi - lo) / step, 10.0);
  }
}

TEST(PlotLabels, A256TokenLandscapeAndLayerCurvesRender) {
  nlohmann::json report = nlohmann::json::parse(read_text_file(test::source_path("tests/browser/sample_report.json")));
  report.erase("weights");
  report.erase("attention");
  report.erase("lifecycle");
  report["activations"].erase("token_classes");
  auto& l = report["activations"]["landscapes"]["resid_post"];
  nlohmann::json positions = nlohmann::json::array(), pieces = nlohmann::json::array(), values = nlohmann::json::array();
  for (int t = 0; t < kTokens; ++t) {
    positions.push_back(t);
    pieces.push_back(t % 9 == 0 ? "." : "\u2581word" + std::to_string(t));
    nlohmann::json row = nlohmann::json::array();
    for (size_t c = 0; c < l["channels"].size(); ++c) row.push_back(t % 9 == 0 && c == 3 ? 50.0 : 0.5 + 0.01 * (t % 7));
    values.push_back(row);
  }
  l["positions"] = positions;
  l["pieces"] = pieces;
  l["abs_values"] = values;
  l["highlight_positions"] = {0, 9, 18, 27, 104, 105, 106};
  FigureOptions options;
  options.formats = {"png"};
  options.quiet = true;
  const std::string dir = test::scratch_dir("plot_labels_256");
  const auto written = draw_report_figures(report, dir, options);
  EXPECT_TRUE(std::filesystem::exists(dir + "/landscape_resid_post_L2.png"));
  EXPECT_GE(written.size(), 3u);
}

}  // namespace
}  // namespace osc::plot
