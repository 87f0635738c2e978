// report.json and the CSV tables (docs/report-schema.md, "CSV tables").
#include <algorithm>
#include <filesystem>

#include "analysis/report.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "formats/csv.h"

namespace osc::analysis {
namespace {

// One CSV cell's text: numbers as JSON writes them, arrays joined by ';'.
std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_array()) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ";" : "") + cell(v[i]);
    return s;
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Rows of objects -> CSV with the given columns.
std::string table(const std::vector<std::string>& columns, const nlohmann::json& rows) {
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (const auto& column : columns) line.push_back(cell(row.value(column, nlohmann::json())));
    cells.push_back(std::move(line));
  }
  return csv_table(columns, cells);
}

nlohmann::json weight_rows(const nlohmann::json& w) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& layer : w["per_layer"])
    for (const auto& [module, m] : layer["modules"].items()) {
      nlohmann::json top = nlohmann::json::array();
      for (const auto& c : m["top_columns"]) top.push_back(c["index"]);
      rows.push_back({{"layer", layer["layer"]}, {"module", module}, {"max_col_ratio", m["max_col_ratio"]},
                      {"median_col_ratio", m["median_col_ratio"]}, {"max_row_ratio", m["max_row_ratio"]},
                      {"median_row_ratio", m["median_row_ratio"]}, {"top_columns", top}});
    }
  return rows;
}

nlohmann::json activation_rows(const nlohmann::json& sites) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [name, s] : sites.items()) {
    const auto& pl = s["per_layer"];
    for (size_t l = 0; l < pl["top1"].size(); ++l)
      rows.push_back({{"site", name}, {"layer", l}, {"top1", pl["top1"][l]}, {"top2", pl["top2"][l]},
                      {"top3", pl["top3"][l]}, {"median", pl["median"][l]}, {"top1_channel", pl["top1_channel"][l]},
                      {"n_outliers", pl["n_outliers"][l]}});
  }
  return rows;
}

nlohmann::json activation_outlier_rows(const nlohmann::json& sites) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [name, s] : sites.items())
    for (auto o : s["outliers"]) {
      o["site"] = name;
      rows.push_back(o);
    }
  return rows;
}

// One row per (outlier entry, writer column); an entry without a writer gets one row with empty
// writer cells, so every flagged entry appears.
nlohmann::json writer_rows(const nlohmann::json& writers) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : writers["entries"]) {
    nlohmann::json row = {{"layer", e["layer"]}, {"input", e["input"]}, {"position", e["position"]},
                          {"piece", e["piece"]}, {"channel", e["channel"]}, {"value", e["value"]}};
    if (e["writers"].empty()) rows.push_back(row);
    for (const auto& w : e["writers"]) {
      row["column"] = w["column"], row["contribution"] = w["contribution"], row["share"] = w["share"];
      if (w.contains("expert")) row["expert"] = w["expert"], row["routing_weight"] = w["routing_weight"];
      rows.push_back(row);
    }
  }
  return rows;
}

nlohmann::json attention_rows(const nlohmann::json& a) {
  nlohmann::json rows = nlohmann::json::array();
  const auto& pl = a["per_layer"];
  for (size_t l = 0; l < pl["top1"].size(); ++l)
    rows.push_back({{"layer", l}, {"top1", pl["top1"][l]}, {"top2", pl["top2"][l]}, {"median", pl["median"][l]},
                    {"first_token_share", pl["first_token_share"][l]}});
  return rows;
}

nlohmann::json class_rows(const nlohmann::json& report) {
  nlohmann::json rows = nlohmann::json::array();
  auto add = [&](const std::string& what, const nlohmann::json* counts) {
    if (!counts) return;
    nlohmann::json row = *counts;
    row["outliers"] = what;
    rows.push_back(row);
  };
  if (report.contains("activations")) add("activation", &report["activations"]["token_classes"]);
  if (report.contains("attention")) add("attention", &report["attention"]["token_classes"]);
  return rows;
}

void write_csv(const std::string& dir, const std::string& name, const std::vector<std::string>& columns,
               const nlohmann::json& rows) {
  write_text_atomically(dir + "/" + name, table(columns, rows));
}

}  // namespace

void write_report_files(const nlohmann::json& report, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_bad_input(dir, "cannot create the output folder: " + ec.message());
  write_text_atomically(dir + "/report.json", report.dump(1) + "\n");
  if (report.contains("weights"))
    write_csv(dir, "weights_per_layer.csv",
              {"layer", "module", "max_col_ratio", "median_col_ratio", "max_row_ratio", "median_row_ratio", "top_columns"},
              weight_rows(report["weights"]));
  if (report.contains("activations")) {
    const auto& sites = report["activations"]["sites"];
    write_csv(dir, "activations_per_layer.csv",
              {"site", "layer", "top1", "top2", "top3", "median", "top1_channel", "n_outliers"}, activation_rows(sites));
    write_csv(dir, "activation_outliers.csv",
              {"site", "layer", "input", "position", "channel", "value", "ratio_to_median"}, activation_outlier_rows(sites));
  }
  if (report.contains("attention")) {
    write_csv(dir, "attention_per_layer.csv", {"layer", "top1", "top2", "median", "first_token_share"},
              attention_rows(report["attention"]));
    write_csv(dir, "attention_outliers.csv",
              {"layer", "input", "position", "piece", "class", "received", "threshold", "heads"},
              report["attention"]["outliers"]);
  }
  if (report.contains("lifecycle") && report["lifecycle"].contains("writers")) {
    std::vector<std::string> columns = {"layer", "input", "position", "piece", "channel", "value", "column", "contribution", "share"};
    const nlohmann::json rows = writer_rows(report["lifecycle"]["writers"]);
    if (std::any_of(rows.begin(), rows.end(), [](const nlohmann::json& r) { return r.contains("expert"); }))
      columns.insert(columns.end() - 3, {"expert", "routing_weight"});  // a mixture: which expert's column
    write_csv(dir, "outlier_writers.csv", columns, rows);
  }
  const nlohmann::json classes = class_rows(report);
  if (!classes.empty())
    write_csv(dir, "token_classes.csv",
              {"outliers", "initial", "strong_delimiter", "weak_semantic", "other", "total"}, classes);
  if (report.contains("ablation") && report["ablation"].contains("perplexity")) {
    nlohmann::json row = report["ablation"]["perplexity"];
    row["n_tokens"] = report["ablation"]["n_tokens"];
    write_csv(dir, "ablation.csv", {"original", "zero", "mean", "n_tokens"}, nlohmann::json::array({row}));
  }
}

}  // namespace osc::analysis
