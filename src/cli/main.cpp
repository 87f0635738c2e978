// The outlierscope command-line program: parses the subcommand, runs it, and turns errors into one
// line on stderr and an exit status (2 bad input or usage, 1 internal failure).
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/option_validation.h"
#include "core/error.h"
#include "core/large_buffers.h"
#include "core/progress.h"
#include "core/temp_files.h"
#include "dist/communicator.h"

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

// Reports an error on stderr; in a multi-process job, names the rank and ends every rank (none may
// wait forever in a collective for this one). Returns the exit status otherwise.
int fail(int status, const char* kind, const char* message) {
  const std::string where = osc::dist::size() > 1 ? " (rank " + std::to_string(osc::dist::rank()) + " of " +
                                                        std::to_string(osc::dist::size()) + ")"
                                                  : "";
  std::fprintf(stderr, "outlierscope%s: %s%s\n", where.c_str(), kind, message);
  std::fflush(stderr);
  osc::dist::end_job_after_error(status);
  return status;
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
  app.set_version_flag("--version", std::string("outlierscope ") + OUTLIERSCOPE_VERSION + "\nmulti-process training: " +
                                        osc::dist::build_description());
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
    return fail(e.exit_status(), "error: ", e.what());
  } catch (const std::bad_alloc&) {
    return fail(1, "error: ", "out of memory");
  } catch (const std::exception& e) {
    return fail(1, "internal error: ", e.what());
  }
  return 0;
}
