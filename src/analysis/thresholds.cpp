#include "analysis/thresholds.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace osc::analysis {

std::string rule_name(Rule rule) {
  switch (rule) {
    case Rule::Relative: return "relative";
    case Rule::Absolute: return "absolute";
    case Rule::Both: return "both";
    case Rule::Gap: return "gap";
  }
  return "relative";
}

Rule rule_from_name(const std::string& name, const std::string& option, bool allow_gap) {
  if (name == "relative") return Rule::Relative;
  if (name == "absolute") return Rule::Absolute;
  if (name == "both") return Rule::Both;
  if (name == "gap" && allow_gap) return Rule::Gap;
  throw_bad_input(option, "'" + name + "' is not one of relative, absolute, both" + (allow_gap ? ", gap" : ""));
}

bool passes(Rule rule, double magnitude, double relative_bound, double absolute_bound) {
  switch (rule) {
    case Rule::Relative:
    case Rule::Gap: return magnitude >= relative_bound;
    case Rule::Absolute: return magnitude >= absolute_bound;
    case Rule::Both: return magnitude >= relative_bound && magnitude >= absolute_bound;
  }
  return false;
}

nlohmann::json thresholds_to_json(const Thresholds& t) {
  return {
      {"weight",
       {{"rule_used", rule_name(t.weight.rule)},
        {"ratio_min", t.weight.ratio_min},
        {"relative_to_median", t.weight.relative_to_median}}},
      {"activation",
       {{"rule_used", rule_name(t.activation.rule)},
        {"relative_to_median", t.activation.relative_to_median},
        {"gap_ratio", t.activation.gap_ratio},
        {"absolute_min", t.activation.absolute_min},
        {"collapse_fraction", t.activation.collapse_fraction},
        {"min_layers_persistent", t.activation.min_layers_persistent},
        {"writer_share", t.activation.writer_share}}},
      {"attention",
       {{"fraction_of_length", t.attention.fraction_of_length},
        {"uniform_multiple", t.attention.uniform_multiple}}},
  };
}

}  // namespace osc::analysis
