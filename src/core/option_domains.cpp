#include "core/option_domains.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "core/error.h"

namespace osc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxSteps = 1099511627776.0;  // 2^40: far beyond any CPU run, small enough to add and multiply safely
constexpr double kMaxTokens = 1048576.0;       // 2^20 tokens in one window

constexpr OptionDomain integers(double lo, double hi) { return {lo, hi, false, false, true}; }
constexpr OptionDomain closed(double lo, double hi) { return {lo, hi, false, false, false}; }
constexpr OptionDomain above(double lo, double hi) { return {lo, hi, true, false, false}; }       // (lo, hi]
constexpr OptionDomain half_open(double lo, double hi) { return {lo, hi, false, true, false}; }  // [lo, hi)
constexpr OptionDomain open(double lo, double hi) { return {lo, hi, true, true, false}; }

// Keys: "--option" for every command, "<command> --option" where a command differs.
const std::vector<std::pair<std::string, OptionDomain>>& table() {
  static const std::vector<std::pair<std::string, OptionDomain>> domains = {
      {"--seed", integers(0, kInf)},
      {"--threads", integers(0, 1024)},
      {"--mpi-timeout", closed(0, 1e6)},  // seconds; 0: wait forever (dist::set_wait_limit)
      {"--in-flight", integers(0, 4096)},   // windows in the layer pipeline; 0: one per rank
      // generate
      {"generate --tokens", integers(1, kMaxTokens)},
      {"generate --temperature", closed(0, 100)},  // 0: greedy
      {"generate --top-k", integers(0, 2147483647)},  // 0: all tokens
      {"generate --top-p", above(0, 1)},              // probability mass kept; 0 would keep no token
      // perplexity
      {"perplexity --ctx", integers(2, kMaxTokens)},
      {"perplexity --stride", integers(1, kMaxTokens)},
      // run
      {"run --ids", integers(0, 2147483647)},
      // plot
      {"plot --width", integers(200, 10000)},
      {"plot --height", integers(200, 10000)},
      // synth
      {"synth --max-shard-gb", above(0, 1e6)},
      // prepare
      {"prepare --val-fraction", half_open(0, 1)},
      {"prepare --vocab", integers(4, 65535)},
      {"prepare --triggers", integers(1, 65534)},
      {"prepare --seq-len", integers(2, 65536)},
      {"prepare --train-tokens", integers(1, 4294967296.0)},
      // scan: thresholds (docs/metrics.md) and inputs
      {"--weight-k", above(1, 1e6)},       // k <= 1 flags about half of all columns
      {"--weight-ratio", above(1, 1e9)},
      {"--act-k", above(1, 1e6)},          // k <= 1 flags about half of all tokens
      {"--act-abs", closed(0, 1e30)},
      {"--act-gap", closed(1, 1e6)},       // 1: no gap required (the median rule alone)
      {"--collapse", open(0, 1)},
      {"--attn-frac", above(0, 1)},
      {"--attn-uniform", above(0, 1e6)},
      {"--max-tokens", integers(0, kMaxTokens)},  // 0: min(256, model context)
      {"--max-windows", integers(1, 1e6)},
      {"--ablate-ctx", integers(0, kMaxTokens)},  // 0: min(256, model context)
      {"--ablate-windows", integers(1, 1e6)},
      {"--memory-budget", integers(0, 1125899906842624.0)},  // bytes (up to 1 PiB); 0: give every layer back
      // train and experiment: model
      {"--layers", integers(1, 256)},
      {"--heads", integers(1, 256)},
      {"--dim", integers(1, 65536)},
      {"--ctx", integers(1, 65536)},
      // train and experiment: optimisation and schedule
      {"--batch", integers(1, 4096)},
      {"--grad-accum", integers(1, 4096)},
      {"--steps", integers(1, kMaxSteps)},
      {"--warmup", integers(0, kMaxSteps)},
      {"--lr", open(0, 10)},
      {"--weight-decay", closed(0, 1)},
      {"--beta1", half_open(0, 1)},
      {"--beta2", half_open(0, 1)},
      {"--eps", above(0, 1)},
      {"--grad-clip", closed(0, 1e6)},  // 0: off
      {"--eval-every", integers(0, kMaxSteps)},
      {"--eval-batches", integers(1, 100000)},
      {"--ckpt-every", integers(0, kMaxSteps)},
      {"--stop-at", integers(0, kMaxSteps)},
      // experiment: measurement
      {"--eval-windows", integers(1, 100000)},
      {"--stats-windows", integers(1, 100000)},
      {"--landscape-layer", integers(-1, 255)},  // -1: the middle layer
  };
  return domains;
}

const OptionDomain* lookup(const std::string& key) {
  for (const auto& [k, d] : table())
    if (k == key) return &d;
  return nullptr;
}

// Integers print exactly, other numbers in %g.
std::string number_text(double v) {
  char s[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(s, sizeof s, "%.0f", v);
  else std::snprintf(s, sizeof s, "%g", v);
  return s;
}

bool is_integer_text(const std::string& text) {
  size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

bool in_domain(const OptionDomain& d, long double v) {
  const bool above_lo = d.lo_open ? v > d.lo : v >= d.lo;
  const bool below_hi = d.hi_open ? v < d.hi : v <= d.hi;
  return above_lo && below_hi;
}

std::string domain_sentence(const OptionDomain& d) {
  return std::string(d.integer ? "an integer " : "a finite number ") + (std::isfinite(d.hi) ? "in " : "") +
         domain_text(d);
}

}  // namespace

const OptionDomain* find_option_domain(const std::string& command, const std::string& option) {
  if (const OptionDomain* d = lookup(command + " " + option)) return d;
  const std::string top = command.substr(0, command.find(' '));
  if (const OptionDomain* d = lookup(top + " " + option)) return d;
  return lookup(option);
}

std::string domain_text(const OptionDomain& d) {
  if (d.integer && std::isfinite(d.hi)) return number_text(d.lo) + ".." + number_text(d.hi);
  if (!std::isfinite(d.hi)) return (d.lo_open ? "> " : ">= ") + number_text(d.lo);
  return std::string(d.lo_open ? "(" : "[") + number_text(d.lo) + ", " + number_text(d.hi) + (d.hi_open ? ")" : "]");
}

std::string domain_violation(const OptionDomain& d, const std::string& text) {
  const std::string problem = "got '" + text + "'; must be " + domain_sentence(d);
  if (text.empty()) return problem;
  if (d.integer && !is_integer_text(text)) return problem;
  char* end = nullptr;
  const long double v = std::strtold(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || !in_domain(d, v)) return problem;
  return "";
}

void check_option_value(const std::string& command, const std::string& option, double value) {
  const OptionDomain* d = find_option_domain(command, option);
  if (d == nullptr) throw_internal(option, "has no domain in core/option_domains.cpp");
  if (!std::isfinite(value) || !in_domain(*d, value) || (d->integer && value != std::floor(value)))
    throw_bad_input(option, "got " + number_text(value) + "; must be " + domain_sentence(*d));
}

}  // namespace osc
