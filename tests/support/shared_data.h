// Test helpers: where the shared test data and the reference scripts live, and how a test that
// needs missing shared data or an optional package behaves (skip on a developer machine, fail
// under CI=true, where everything is installed). Nothing else may skip a test: a skip that a
// regression can reach hides it.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace osc::test {

// Absolute path of `relative` under the shared data folder (OUTLIERSCOPE_SHARED, default ../shared).
std::string shared_path(const std::string& relative);
// True if the path exists; otherwise records a failure (CI=true) or returns false so the caller
// can GTEST_SKIP. Use through OSC_REQUIRE_SHARED.
bool shared_available(const std::string& absolute_path);
// The same for an optional package (node_modules, node, chromium): `present`, or a failure
// naming `what` under CI=true. Use through OSC_REQUIRE_OPTIONAL.
bool optional_available(bool present, const std::string& what);

std::string source_path(const std::string& relative);  // path in the source tree
// A fresh empty folder under the build tree, one per process and name; removed at the end of a
// process whose tests all passed, kept when one failed or under OUTLIERSCOPE_KEEP_SCRATCH=1.
std::string scratch_dir(const std::string& name);
std::string cli_path();                                  // the built outlierscope program
std::string python();                                    // /usr/bin/python3 (with torch)

// Runs a shell command, returns its exit status; stdout+stderr are captured into *output.
int run_command(const std::string& command, std::string* output = nullptr);
// Runs a tests/reference script with arguments; fails the test (with its output) if it fails.
void run_reference(const std::string& script, const std::string& args);

}  // namespace osc::test

#define OSC_REQUIRE_SHARED(path)                                                   \
  do {                                                                             \
    if (!::osc::test::shared_available(path)) GTEST_SKIP() << "shared data missing: " << (path); \
  } while (0)

#define OSC_REQUIRE_OPTIONAL(present, what)                                        \
  do {                                                                             \
    if (!::osc::test::optional_available((present), (what))) GTEST_SKIP() << (what); \
  } while (0)
