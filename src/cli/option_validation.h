// Attaches the domains of core/option_domains.h to the numeric options of every subcommand, so
// that an out-of-domain value is refused at parse time (exit 2) and --help shows each domain.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace osc::cli {

// Walks `app`'s subcommands; returns "<command> <option>" for every numeric option without a domain
// (a programming error: main refuses to start, so no option ever goes unchecked).
std::vector<std::string> attach_option_domains(CLI::App& app);

}  // namespace osc::cli
