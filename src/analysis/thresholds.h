// Detection thresholds of every analysis, with the defaults documented (and sourced) in
// docs/metrics.md. Tiny models never reach the papers' absolute numbers, so the defaults are
// scale-free: relative to the median of the same layer / matrix, and for activations also
// separated from the bulk by a gap; an absolute rule can be chosen instead.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace osc::analysis {

// Both: relative AND over the absolute floor. Gap (activations only): over the relative floor AND
// above the lowest gap of >= gap_ratio in the sorted magnitudes (docs/metrics.md §2).
enum class Rule { Relative, Absolute, Both, Gap };

struct WeightThresholds {
  Rule rule = Rule::Relative;
  double ratio_min = 1000.0;          // An et al.: column max/mean > 1000 (absolute rule)
  double relative_to_median = 10.0;   // ratio >= k x the matrix's median column ratio
};

struct ActivationThresholds {
  Rule rule = Rule::Gap;
  double relative_to_median = 20.0;   // |x| >= k x median |x| of the layer (Sun et al. use ~1000x)
  double gap_ratio = 3.0;             // Gap rule: the flagged entries are >= this x the next-largest entry
  double absolute_min = 100.0;        // Sun et al.: |x| > 100 (absolute rule / floor of Both)
  double collapse_fraction = 0.5;     // disappearance: outlier magnitude < fraction x its peak
  int min_layers_persistent = 2;      // "persistent": same channel, same token, >= this many consecutive layers
  double writer_share = 0.2;          // a down-projection column writes an entry if it gives >= this share of it
};

struct AttentionThresholds {
  double fraction_of_length = 0.1;    // An et al.: head-averaged received >= 0.1 x sequence length
  double uniform_multiple = 2.0;      // and >= m x what the key would receive under uniform causal attention
};

struct Thresholds {
  WeightThresholds weight;
  ActivationThresholds activation;
  AttentionThresholds attention;
};

std::string rule_name(Rule rule);                 // "relative", "absolute", "both", "gap"
// BadInput naming `option` for anything else; "gap" only where allow_gap (activations).
Rule rule_from_name(const std::string& name, const std::string& option = "threshold rule", bool allow_gap = false);
// True if `magnitude` passes `rule` given the relative bound (k x median) and the absolute bound
// (Gap: the relative bound only; the gap needs the whole layer, see activation_rule.h).
bool passes(Rule rule, double magnitude, double relative_bound, double absolute_bound);

nlohmann::json thresholds_to_json(const Thresholds& t);

}  // namespace osc::analysis
