// Subcommands register themselves: each cli/<name>.cpp defines one static CommandRegistration, so
// adding a command touches one file.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace osc::cli {

// setup adds the subcommand's options to `sub` and returns the function that runs it (after
// parsing); the function returns the process exit status.
using CommandSetup = std::function<std::function<int()>(CLI::App& sub)>;

struct CommandRegistration {
  CommandRegistration(std::string name, std::string description, CommandSetup setup);
};

}  // namespace osc::cli
