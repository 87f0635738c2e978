// The outlierscope command-line program: parses the subcommand, runs it, and turns errors into one
// line on stderr and an exit status (2 bad input or usage, 1 internal failure).
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <vector>

#include "cli/command.h"
#include "cli/option_validation.h"
#include "core/error.h"
#include "core/large_buffers.h"
#include "core/progress.h"
#include "core/temp_files.h"

namespace osc::cli {
namespace {

struct Entry {
  std::string name, description;
  CommandSetup setup;
};

std::vector<Entry>& registry() {
  static std::vector<Entry> entries;
  return entries;
}

}  // namespace

CommandRegistration::CommandRegistration(std::string name, std::string description, CommandSetup setup) {
  registry().push_back({std::move(name), std::move(description), std::move(setup)});
}

}  // namespace osc::cli

int main(int argc, char** argv) {
  using namespace osc::cli;
  osc::keep_freed_memory_for_reuse();
  osc::install_interrupt_cleanup();
  CLI::App app{"outlierscope: find, locate, explain and remove systematic outliers in transformer LMs"};
  app.set_version_flag("--version", std::string("outlierscope ") + OUTLIERSCOPE_VERSION);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress lines on stderr");
  app.require_subcommand(1);
  app.fallthrough();  // lets --quiet follow the subcommand too
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (auto& e : registry()) {
    CLI::App* sub = app.add_subcommand(e.name, e.description);
    runners.emplace_back(sub, e.setup(*sub));
  }
  for (const std::string& unchecked : attach_option_domains(app)) {
    std::fprintf(stderr, "outlierscope: internal error: option %s has no domain in src/core/option_domains.cpp\n",
                 unchecked.c_str());
    return 1;
  }
  // One line per usage error, like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return "outlierscope: error: " + std::string(e.what()) + "\n"; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  osc::set_global_quiet(quiet);
  try {
    for (auto& [sub, run] : runners)
      if (sub->parsed()) return run();
  } catch (const osc::Error& e) {
    std::fprintf(stderr, "outlierscope: error: %s\n", e.what());
    return e.exit_status();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "outlierscope: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "outlierscope: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
