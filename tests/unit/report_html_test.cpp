// report.html as text: self-contained (plotly inlined, no external URLs), every piece of report
// text escaped where it lands (title element, embedded JSON), and the escaping helpers against
// hand-written expectations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/text_file.h"
#include "report/html_escape.h"
#include "report/html_report.h"
#include "report/plotly_asset.h"
#include "support/shared_data.h"

namespace {

nlohmann::json sample() {
  return nlohmann::json::parse(osc::read_text_file(osc::test::source_path("tests/browser/sample_report.json")));
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string embedded_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"osc-data\">";
  const size_t start = html.find(open);
  EXPECT_NE(start, std::string::npos);
  const size_t end = html.find("</script>", start);
  return html.substr(start + open.size(), end - start - open.size());
}

TEST(ReportHtmlEscape, HandWrittenCases) {
  EXPECT_EQ(osc::report::escape_html("<a href='x'>\"&\""), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;");
  EXPECT_EQ(osc::report::script_for_html("s='</SCRIPT>';t='<!--'"), "s='<\\/SCRIPT>';t='<\\!--'");
  EXPECT_EQ(osc::report::json_for_script(nlohmann::json{{"k", "</script>&\xE2\x80\xA8\xC3\xA9"}}),
            "{\"k\":\"\\u003c/script\\u003e\\u0026\\u2028\\u00e9\"}");
}

TEST(ReportHtml, SelfContainedAndEscaped) {
  nlohmann::json report = sample();
  const std::string hostile = "</script><script>alert(1)</script><!--";
  report["inputs"][0]["pieces"][1] = hostile;
  report["activations"]["landscapes"]["resid_post"]["pieces"][1] = hostile;
  std::string html = osc::report::render_html_report(report);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("plotly.js v2.35.2"), std::string::npos) << "plotly.js is not inlined";
  // The rest of the checks look at the page without the (trusted, 4.5 MB) plotly bundle.
  const std::string bundle = osc::report::script_for_html(osc::report::plotly_js());
  const size_t at = html.find(bundle);
  ASSERT_NE(at, std::string::npos);
  html.erase(at, bundle.size());
  // Exactly our four script elements; nothing from the report opened another one.
  EXPECT_EQ(count(html, "<script"), 4u);
  EXPECT_EQ(count(html, "</script>"), 4u);
  EXPECT_EQ(count(html, "<script>alert(1)"), 0u) << "hostile text must only appear \\u-escaped";
  EXPECT_GE(count(html, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), 1u);
  // No external resource: the report works offline.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_NE(html.find("<title>sample-llama &lt;b&gt;&amp;&quot;: systematic outliers</title>"), std::string::npos);
  const std::string data = embedded_data(html);
  EXPECT_EQ(data.find('<'), std::string::npos);
  const auto model = nlohmann::json::parse(data);
  EXPECT_EQ(model["title"], "sample-llama <b>&\": systematic outliers");
  bool found = false;
  for (const auto& f : model["figures"])
    if (f["id"] == "landscape_resid_post_L2") found = f["panels"][0]["row_labels"][1] == hostile;
  EXPECT_TRUE(found) << "the hostile piece must survive the round trip unchanged";
}

TEST(ReportHtml, WritesAtomicallyAndRejectsBadReports) {
  const std::string dir = osc::test::scratch_dir("report_html_write");
  osc::report::write_html_report(sample(), dir + "/report.html");
  EXPECT_GT(osc::read_text_file(dir + "/report.html").size(), 1000000u);
  nlohmann::json old = sample();
  old["schema_version"] = 99;
  try {
    osc::report::write_html_report(old, dir + "/old.html", "runs/x/report.json");
    FAIL() << "no error for schema_version 99";
  } catch (const osc::Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    EXPECT_NE(std::string(e.what()).find("runs/x/report.json: schema_version: unsupported version 99"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/old.html"));
}

}  // namespace
