#include "experiment/comparison.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>

#include "core/atomic_write.h"
#include "formats/csv.h"
#include "report/schema.h"

namespace osc::experiment {
namespace {

struct LayerColumn {
  std::string name;
  std::function<double(const LayerStats&)> get;
};

const std::vector<LayerColumn>& layer_fields() {
  static const std::vector<LayerColumn> fields = {
      {"top1", [](const LayerStats& s) { return s.top1; }},
      {"top2", [](const LayerStats& s) { return s.top2; }},
      {"top3", [](const LayerStats& s) { return s.top3; }},
      {"median", [](const LayerStats& s) { return s.median; }},
      {"ratio", [](const LayerStats& s) { return s.ratio; }},
      {"first_token_norm_ratio", [](const LayerStats& s) { return s.first_token_norm_ratio; }},
      {"first_token_attention", [](const LayerStats& s) { return s.first_token_attention; }},
      {"extra_attention", [](const LayerStats& s) { return s.extra_attention; }},
      {"kurtosis", [](const LayerStats& s) { return s.kurtosis; }},
  };
  return fields;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double max_over_layers(const VariantResult& r, const std::function<double(const LayerStats&)>& get) {
  double m = 0.0;
  for (const auto& s : r.layers) m = std::max(m, get(s));
  return m;
}

double ppl(const VariantResult& r, Compression c) {
  for (const auto& [kind, value] : r.perplexity)
    if (kind == c) return value;
  return std::nan("");
}

// One summary row, values in summary_columns() order (after the variant name).
std::vector<double> summary_values(const VariantResult& r) {
  std::vector<double> v = {static_cast<double>(r.steps), r.train_seconds, r.train_loss, r.val_loss};
  for (Compression c : all_compressions()) v.push_back(ppl(r, c));
  for (const auto& f : layer_fields())
    if (f.name != "top2" && f.name != "top3" && f.name != "median") v.push_back(max_over_layers(r, f.get));
  return v;
}

std::string join(const std::vector<std::string>& cells, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < cells.size(); ++i) s += (i ? sep : "") + cells[i];
  return s;
}

std::string markdown_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string s = "| " + join(header, " | ") + " |\n|" + join(std::vector<std::string>(header.size(), "---"), "|") + "|\n";
  for (const auto& r : rows) s += "| " + join(r, " | ") + " |\n";
  return s;
}

std::vector<std::vector<std::string>> summary_rows(const std::vector<VariantResult>& results, bool labels) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    std::vector<std::string> row = {labels ? variant_label(r.variant) : r.variant};
    for (double v : summary_values(r)) row.push_back(number(v));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<std::string>> layer_rows(const std::vector<VariantResult>& results, bool labels) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results)
    for (size_t l = 0; l < r.layers.size(); ++l) {
      std::vector<std::string> row = {labels ? variant_label(r.variant) : r.variant, std::to_string(l)};
      for (const auto& f : layer_fields()) row.push_back(number(f.get(r.layers[l])));
      rows.push_back(std::move(row));
    }
  return rows;
}

nlohmann::json per_layer_json(const VariantResult& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : layer_fields()) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& s : r.layers) values.push_back(f.get(s));
    j[f.name] = std::move(values);
  }
  return j;
}

}  // namespace

std::string variant_label(const std::string& variant) {
  static const std::map<std::string, std::string> letters = {{"softmax", "a"},   {"fixed_bias", "b"},
                                                             {"ctx_bias", "c"},  {"attn_bias", "d"},
                                                             {"ctx_scale", "e"}, {"sigmoid", "f"}};
  const auto it = letters.find(variant);
  return it == letters.end() ? variant : "(" + it->second + ") " + variant;
}

const std::vector<std::string>& summary_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = {"variant", "steps", "train_seconds", "train_loss", "val_loss"};
    for (Compression k : all_compressions()) c.emplace_back(compression_name(k));
    for (const auto& f : layer_fields())
      if (f.name != "top2" && f.name != "top3" && f.name != "median") c.push_back("max_" + f.name);
    return c;
  }();
  return columns;
}

const std::vector<std::string>& layer_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = {"variant", "layer"};
    for (const auto& f : layer_fields()) c.push_back(f.name);
    return c;
  }();
  return columns;
}

std::string summary_csv(const std::vector<VariantResult>& results) {
  return csv_table(summary_columns(), summary_rows(results, false));
}

std::string layers_csv(const std::vector<VariantResult>& results) {
  return csv_table(layer_columns(), layer_rows(results, false));
}

std::string comparison_markdown(const std::vector<VariantResult>& results) {
  std::vector<std::string> ppl_header = {"variant", "val loss"};
  for (Compression c : all_compressions()) ppl_header.push_back("PPL " + std::string(compression_label(c)));
  std::vector<std::vector<std::string>> ppl_rows;
  for (const auto& r : results) {
    std::vector<std::string> row = {variant_label(r.variant), number(r.val_loss)};
    for (Compression c : all_compressions()) row.push_back(number(ppl(r, c)));
    ppl_rows.push_back(std::move(row));
  }
  std::string s = "## Validation perplexity, original and compressed\n\n" + markdown_table(ppl_header, ppl_rows);
  std::vector<std::string> summary_header = summary_columns();
  s += "\n## Summary (max over layers)\n\n" + markdown_table(summary_header, summary_rows(results, true));
  s += "\n## Per layer (resid_post)\n\n" + markdown_table(layer_columns(), layer_rows(results, true));
  return s;
}

nlohmann::json comparison_json(const std::vector<VariantResult>& results, const std::string& title,
                               const nlohmann::json& settings) {
  nlohmann::json variants = nlohmann::json::array();
  int64_t n_layers = 0;
  for (const auto& r : results) {
    n_layers = std::max<int64_t>(n_layers, static_cast<int64_t>(r.layers.size()));
    nlohmann::json v = {{"name", r.variant},         {"label", variant_label(r.variant)},
                        {"steps", r.steps},          {"train_seconds", r.train_seconds},
                        {"train_loss", r.train_loss}, {"val_loss", r.val_loss},
                        {"per_layer", per_layer_json(r)}};
    nlohmann::json p = nlohmann::json::object();
    for (const auto& [c, value] : r.perplexity) p[std::string(compression_name(c))] = value;
    v["perplexity"] = std::move(p);
    if (!r.landscape.is_null()) v["landscape"] = r.landscape;
    variants.push_back(std::move(v));
  }
  return {{"schema", report::kComparisonSchema}, {"schema_version", report::kComparisonSchemaVersion},
          {"title", title}, {"n_layers", n_layers}, {"settings", settings}, {"variants", std::move(variants)}};
}

void write_comparison_tables(const std::string& out_dir, const std::vector<VariantResult>& results,
                             const std::string& title, const nlohmann::json& settings) {
  std::filesystem::create_directories(out_dir);
  write_text_atomically(out_dir + "/summary.csv", summary_csv(results));
  write_text_atomically(out_dir + "/layers.csv", layers_csv(results));
  write_text_atomically(out_dir + "/comparison.md", "# " + title + "\n\n" + comparison_markdown(results));
  write_text_atomically(out_dir + "/comparison.json", comparison_json(results, title, settings).dump(1) + "\n");
}

}  // namespace osc::experiment
