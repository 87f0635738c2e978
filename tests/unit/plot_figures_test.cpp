// Static figures from the sample report (tests/browser/sample_report.json, written by
// make_sample_report.py): the expected files exist, each PNG has the documented pixel size (read
// from its header), shows ink and, where outliers are drawn, the magenta highlight (measured by
// PIL in tests/browser/png_stats.py, independent of PLplot); bad documents give clear errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/text_file.h"
#include "plot/figures.h"
#include "support/shared_data.h"

namespace {

nlohmann::json load(const std::string& name) {
  return nlohmann::json::parse(osc::read_text_file(osc::test::source_path("tests/browser/" + name)));
}

struct PngSize {
  uint32_t width = 0, height = 0;
};

// Width and height from the IHDR chunk: bytes 16..23 of the file, big-endian.
PngSize png_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[24] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  EXPECT_EQ(in.gcount(), 24) << path;
  EXPECT_EQ(std::string(reinterpret_cast<char*>(head + 1), 3), "PNG") << path;
  auto be32 = [&](int at) {
    return (uint32_t{head[at]} << 24) | (uint32_t{head[at + 1]} << 16) | (uint32_t{head[at + 2]} << 8) | head[at + 3];
  };
  return {be32(16), be32(20)};
}

struct Ink {
  double inked = 0, magenta = 0;
};

std::map<std::string, Ink> ink_of(const std::vector<std::string>& paths) {
  std::string args;
  for (const auto& p : paths) args += " '" + p + "'";
  std::string output;
  const int rc = osc::test::run_command(osc::test::python() + " " +
                                            osc::test::source_path("tests/browser/png_stats.py") + args,
                                        &output);
  EXPECT_EQ(rc, 0) << output;
  std::map<std::string, Ink> out;
  std::istringstream lines(output);
  std::string path;
  int w, h;
  Ink ink;
  while (lines >> path >> w >> h >> ink.inked >> ink.magenta) out[std::filesystem::path(path).stem().string()] = ink;
  return out;
}

osc::plot::FigureOptions small_png() {
  osc::plot::FigureOptions o;
  o.formats = {"png"};
  o.width_px = 600;
  o.height_px = 450;
  o.quiet = true;
  return o;
}

// Hand-listed expectations for the sample report: figure -> pixel size at 600 x 450 (grids use
// two thirds of that per panel: 3 columns -> 1200 wide; rows of 300).
const std::map<std::string, PngSize> kExpected = {
    {"landscape_resid_post_L2", {600, 450}},   {"landscape_mlp_post_L2", {600, 450}},
    {"weight_down_L2", {600, 450}},            {"attention_L3", {600, 450}},
    {"layer_magnitudes_resid_post", {600, 450}}, {"layer_magnitudes_mlp_post", {600, 450}},
    {"top_channels_resid_post", {600, 450}},   {"top_channels_mlp_post", {600, 450}},
    {"token_classes_activations", {600, 450}}, {"token_classes_attention", {600, 450}},
    {"weight_ratios_down", {600, 450}},        {"weight_ratios_modules", {600, 450}},
    {"top_columns_down", {600, 450}},          {"attention_per_layer", {600, 450}},
    {"attention_sink_share_heads", {600, 450}}, {"attention_received_L3", {600, 450}},
    {"lifecycle_emergence", {1200, 900}},      // 7 panels: 3 columns x 3 rows
    {"lifecycle_spread", {1200, 300}},         // 3 panels in one row
    {"lifecycle_disappearance", {1200, 300}},
};

TEST(PlotFigures, SampleReportGivesEveryFigureAtItsSize) {
  const std::string dir = osc::test::scratch_dir("plot_figures_sample");
  const auto written = osc::plot::draw_report_figures(load("sample_report.json"), dir, small_png());
  ASSERT_EQ(written.size(), kExpected.size());
  for (const auto& [id, size] : kExpected) {
    const std::string path = dir + "/" + id + ".png";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    const PngSize got = png_size(path);
    EXPECT_EQ(got.width, size.width) << id;
    EXPECT_EQ(got.height, size.height) << id;
  }
  const auto ink = ink_of(written);
  ASSERT_EQ(ink.size(), kExpected.size());
  for (const auto& [id, i] : ink) EXPECT_GT(i.inked, 0.01) << id << " looks empty";
  // Outlier tokens, columns and sink keys are drawn in magenta.
  for (const char* id : {"landscape_resid_post_L2", "landscape_mlp_post_L2", "weight_down_L2", "attention_L3",
                         "lifecycle_emergence", "lifecycle_spread"})
    EXPECT_GT(ink.at(id).magenta, 0.0005) << id << " shows no highlighted outlier";
  EXPECT_EQ(ink.at("token_classes_activations").magenta, 0.0);
}

TEST(PlotFigures, SvgAndPngOfTheSameFigure) {
  const std::string dir = osc::test::scratch_dir("plot_figures_svg");
  nlohmann::json report = load("sample_report.json");
  report.erase("weights");
  report.erase("attention");
  report.erase("lifecycle");
  report["activations"].erase("sites");
  report["activations"].erase("token_classes");
  auto options = small_png();
  options.formats = {"png", "svg"};
  const auto written = osc::plot::draw_report_figures(report, dir, options);
  ASSERT_EQ(written.size(), 4u);  // two landscapes, two formats
  const std::string svg = osc::read_text_file(dir + "/landscape_resid_post_L2.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_GT(svg.size(), 2000u);
}

TEST(PlotFigures, ComparisonGridSharesOneScale) {
  const std::string dir = osc::test::scratch_dir("plot_figures_comparison");
  const auto written = osc::plot::draw_comparison_figures(load("sample_comparison.json"), dir, small_png());
  ASSERT_EQ(written.size(), 2u);
  const PngSize grid = png_size(dir + "/variants_landscapes.png");  // 5 panels: 3 columns x 2 rows
  EXPECT_EQ(grid.width, 1200u);
  EXPECT_EQ(grid.height, 600u);
  const PngSize curves = png_size(dir + "/variants_layer_curves.png");  // 2 panels in one row
  EXPECT_EQ(curves.width, 800u);
  EXPECT_EQ(curves.height, 300u);
  const auto ink = ink_of(written);
  EXPECT_GT(ink.at("variants_landscapes").magenta, 0.0005);
}

// PLplot keeps global state: figures drawn from two threads at once must both come out whole.
TEST(PlotFigures, ConcurrentCallersAreSerialised) {
  nlohmann::json report = load("sample_report.json");
  report.erase("lifecycle");
  report.erase("weights");
  const std::string a = osc::test::scratch_dir("plot_figures_thread_a"), b = osc::test::scratch_dir("plot_figures_thread_b");
  std::vector<std::string> wa, wb;
  std::thread ta([&] { wa = osc::plot::draw_report_figures(report, a, small_png()); });
  std::thread tb([&] { wb = osc::plot::draw_report_figures(report, b, small_png()); });
  ta.join();
  tb.join();
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t i = 0; i < wa.size(); ++i) {
    EXPECT_EQ(png_size(wa[i]).width, 600u);
    EXPECT_EQ(std::filesystem::file_size(wa[i]) > 1000, true);
  }
}

std::string error_of(const nlohmann::json& doc) {
  try {
    osc::plot::draw_report_figures(doc, osc::test::scratch_dir("plot_figures_bad"), small_png());
  } catch (const osc::Error& e) {
    EXPECT_EQ(e.kind(), osc::ErrorKind::BadInput);
    return e.what();
  }
  return "no error";
}

TEST(PlotFigures, MalformedReportsGiveOneClearError) {
  const nlohmann::json good = load("sample_report.json");
  EXPECT_NE(error_of(nlohmann::json::array()).find("expected a JSON object"), std::string::npos);
  nlohmann::json no_schema = good;
  no_schema.erase("schema");
  EXPECT_NE(error_of(no_schema).find("no \"schema\" field"), std::string::npos);
  nlohmann::json old = good;
  old["schema_version"] = 0;
  EXPECT_NE(error_of(old).find("schema_version: unsupported version 0"), std::string::npos) << error_of(old);
  nlohmann::json ragged = good;
  ragged["activations"]["landscapes"]["resid_post"]["abs_values"][3] = {1.0, 2.0};
  const std::string msg = error_of(ragged);
  EXPECT_NE(msg.find("activations.landscapes.resid_post.abs_values[3]: expected 64 elements, got 2"), std::string::npos)
      << msg;
  nlohmann::json wrong_type = good;
  wrong_type["attention"]["pattern"]["pieces"][0] = 7;
  EXPECT_NE(error_of(wrong_type).find("attention.pattern.pieces[0]: expected a string"), std::string::npos);
  nlohmann::json short_curve = good;
  short_curve["weights"]["down"]["max_col_ratio"] = {1.0};
  EXPECT_NE(error_of(short_curve).find("weights.down.max_col_ratio: expected 6 elements, got 1"), std::string::npos);
  auto bad_format = small_png();
  bad_format.formats = {"gif"};
  EXPECT_THROW(osc::plot::draw_report_figures(good, osc::test::scratch_dir("plot_figures_gif"), bad_format), osc::Error);
}

}  // namespace
