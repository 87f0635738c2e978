// Detection thresholds of every analysis, with the defaults documented (and sourced) in
// docs/metrics.md. Tiny models never reach the papers' absolute numbers, so the defaults are
// relative to the median of the same layer / matrix; an absolute rule can be chosen instead.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace osc::analysis {

enum class Rule { Relative, Absolute, Both };  // Both: relative AND over the absolute floor

struct WeightThresholds {
  Rule rule = Rule::Relative;
  double ratio_min = 1000.0;          // An et al.: column max/mean > 1000 (absolute rule)
  double relative_to_median = 10.0;   // ratio >= k x the matrix's median column ratio
};

struct ActivationThresholds {
  Rule rule = Rule::Relative;
  double relative_to_median = 20.0;   // |x| >= k x median |x| of the layer (Sun et al. use ~1000x)
  double absolute_min = 100.0;        // Sun et al.: |x| > 100 (absolute rule / floor of Both)
  double collapse_fraction = 0.5;     // disappearance: outlier magnitude < fraction x its peak
  int min_layers_persistent = 2;      // a channel is "persistent" if it is an outlier in >= this many layers
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

std::string rule_name(Rule rule);                 // "relative", "absolute", "both"
Rule rule_from_name(const std::string& name);     // BadInput for anything else
// True if `magnitude` passes `rule` given the relative bound (k x median) and the absolute bound.
bool passes(Rule rule, double magnitude, double relative_bound, double absolute_bound);

nlohmann::json thresholds_to_json(const Thresholds& t);

}  // namespace osc::analysis
