// report.html in a real browser: Debian's headless Chromium loads the page from disk (no server,
// no network), the test fails on any script error or console.error, checks that every plot div
// was drawn by plotly with data, and saves a screenshot into the build tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/text_file.h"
#include "report/html_report.h"
#include "support/shared_data.h"

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

// Plot divs the sample report shows on load (a picker group shows its first figure only):
// landscapes 1, layer curves 1, top indices 1, token classes 2, attention 2, received per head 1,
// lifecycle 7 + 3 + 3.
constexpr int kSamplePlots = 21;

std::string chromium(const std::string& profile, const std::string& extra) {
  return std::string("timeout 400 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --enable-unsafe-swiftshader --hide-scrollbars"
         " --user-data-dir=" + profile + " " + extra;
}

std::string attribute(const std::string& tag, const std::string& name) {
  const std::string key = name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string::npos) return "<missing>";
  const size_t end = tag.find('"', at + key.size());
  return tag.substr(at + key.size(), end - at - key.size());
}

// Console lines of the page that report a failure (Chromium logs every console level as INFO).
std::string console_failures(const std::string& log) {
  std::istringstream lines(log);
  std::string line, bad;
  while (std::getline(lines, line))
    if (line.find("CONSOLE") != std::string::npos &&
        (line.find("Uncaught") != std::string::npos || line.find("Error") != std::string::npos))
      bad += line + "\n";
  return bad;
}

struct PageRun {
  std::string status_tag, log;
};

PageRun load_page(const std::string& html_path, const std::string& dir) {
  const std::string dom_path = dir + "/dom.html", log_path = dir + "/chromium.log";
  // A subshell, so that the DOM and the log stay apart (run_command appends its own 2>&1).
  const std::string cmd = "(" + chromium(dir + "/profile-dom", "--enable-logging=stderr --v=0 --virtual-time-budget=30000 --dump-dom file://" +
                                                                     html_path) + " > " + dom_path + " 2> " + log_path + ")";
  std::string output;
  EXPECT_EQ(osc::test::run_command(cmd, &output), 0) << output << osc::read_text_file(log_path);
  const std::string dom = osc::read_text_file(dom_path);
  const size_t at = dom.find("<div id=\"osc-status\"");
  PageRun run;
  run.log = osc::read_text_file(log_path);
  if (at != std::string::npos) run.status_tag = dom.substr(at, dom.find('>', at) - at);
  return run;
}

TEST(ReportBrowser, EveryPlotRendersWithoutErrors) {
  OSC_REQUIRE_OPTIONAL(std::filesystem::exists(kChromium), std::string(kChromium) + " (Debian chromium)");
  const std::string dir = osc::test::scratch_dir("report_browser");
  nlohmann::json report =
      nlohmann::json::parse(osc::read_text_file(osc::test::source_path("tests/browser/sample_report.json")));
  // A hostile token piece must stay text: no script runs from it and the page still renders.
  report["activations"]["landscapes"]["resid_post"]["pieces"][1] = "</script><img src=x onerror=\"console.error('xss')\">";
  const std::string html = dir + "/report.html";
  osc::report::write_html_report(report, html);

  const PageRun run = load_page(html, dir);
  ASSERT_FALSE(run.status_tag.empty()) << "no #osc-status in the dumped DOM\n" << run.log;
  EXPECT_EQ(attribute(run.status_tag, "data-errors"), "");
  EXPECT_EQ(attribute(run.status_tag, "data-expected"), std::to_string(kSamplePlots));
  EXPECT_EQ(attribute(run.status_tag, "data-rendered"), std::to_string(kSamplePlots));
  EXPECT_EQ(attribute(run.status_tag, "data-status"), "ok") << run.status_tag;
  EXPECT_EQ(console_failures(run.log), "");

  const std::string shot = dir + "/report_screenshot.png";
  std::string output;
  const std::string cmd = chromium(dir + "/profile-shot", "--virtual-time-budget=30000 --window-size=1400,6000 --screenshot=" +
                                                              shot + " file://" + html) + " 2>&1";
  EXPECT_EQ(osc::test::run_command(cmd, &output), 0) << output;
  ASSERT_TRUE(std::filesystem::exists(shot)) << output;
  std::string stats;
  ASSERT_EQ(osc::test::run_command(osc::test::python() + " " + osc::test::source_path("tests/browser/png_stats.py") + " " + shot,
                                   &stats), 0) << stats;
  std::istringstream in(stats);
  std::string path;
  int w = 0, h = 0;
  double inked = 0, magenta = 0;
  in >> path >> w >> h >> inked >> magenta;
  EXPECT_EQ(w, 1400);
  EXPECT_EQ(h, 6000);
  EXPECT_GT(inked, 0.05) << "the screenshot looks blank: " << shot;
  EXPECT_GT(magenta, 0.0) << "no outlier highlight visible in " << shot;
}

}  // namespace
