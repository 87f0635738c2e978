// The domain of every numeric option of every command, in one table (option_domains.cpp). The
// command line checks each value against it at parse time (exit 2); library entry points that take
// the same settings (a resumed run's saved options, the experiment runner) check with
// check_option_value, so a bound is written once.
#pragma once
#include <string>

namespace osc {

struct OptionDomain {
  double lo, hi;          // +-infinity: unbounded on that side
  bool lo_open, hi_open;  // an open bound excludes its value
  bool integer;
};

// The domain of `option` ("--lr") in `command` ("train", "scan ablate"): a command-specific entry
// ("perplexity --ctx") first, then the top-level command's, then the option's own; nullptr if none.
const OptionDomain* find_option_domain(const std::string& command, const std::string& option);

// Short readable form for help texts: "1..4096", "[0, 1)", ">= 0", "(0, 10)".
std::string domain_text(const OptionDomain& d);

// Empty if `text` is a value of the domain, else the reason ("got 'nan'; must be a finite number in [0, 1)").
std::string domain_violation(const OptionDomain& d, const std::string& text);

// BadInput "<option>: got <value>; must be ..." for a value that did not come from the command line.
void check_option_value(const std::string& command, const std::string& option, double value);

}  // namespace osc
