#include "support/shared_data.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <unistd.h>

namespace osc::test {

std::string shared_path(const std::string& relative) {
  const char* env = std::getenv("OUTLIERSCOPE_SHARED");
  std::filesystem::path root = (env && *env) ? env : OUTLIERSCOPE_DEFAULT_SHARED;
  return (std::filesystem::absolute(root) / relative).string();
}

bool optional_available(bool present, const std::string& what) {
  if (present) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") ADD_FAILURE() << "missing under CI=true: " << what;
  return false;
}

bool shared_available(const std::string& absolute_path) {
  return optional_available(std::filesystem::exists(absolute_path), "shared test data " + absolute_path);
}

std::string source_path(const std::string& relative) { return std::string(OUTLIERSCOPE_SOURCE_DIR) + "/" + relative; }

namespace {

// The scratch folders this process made. A passing process removes them (a full run would leave
// gigabytes: K-quant GGUFs, wide models) unless OUTLIERSCOPE_KEEP_SCRATCH=1; a failing one keeps
// them to be looked at.
std::vector<std::filesystem::path>& scratch_dirs() {
  static std::vector<std::filesystem::path> dirs;
  return dirs;
}

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    const char* keep = std::getenv("OUTLIERSCOPE_KEEP_SCRATCH");
    if ((keep && std::string(keep) == "1") || !::testing::UnitTest::GetInstance()->Passed()) return;
    std::error_code ignored;
    for (const auto& dir : scratch_dirs()) std::filesystem::remove_all(dir, ignored);
  }
};

[[maybe_unused]] const ::testing::Environment* const kScratchCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace

std::string scratch_dir(const std::string& name) {
  // ctest -j runs each test case as its own process, often several of one fixture at once: the
  // process id keeps their folders apart.
  std::filesystem::path dir =
      std::filesystem::path(OUTLIERSCOPE_BINARY_DIR) / "test-scratch" / (name + "." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  scratch_dirs().push_back(dir);
  return dir.string();
}

std::string cli_path() { return OUTLIERSCOPE_CLI; }
std::string python() { return OUTLIERSCOPE_PYTHON; }

int run_command(const std::string& command, std::string* output) {
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf{};
  std::string out;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void run_reference(const std::string& script, const std::string& args) {
  std::string out;
  std::string cmd = python() + " " + source_path("tests/reference/" + script) + " " + args;
  int rc = run_command(cmd, &out);
  ASSERT_EQ(rc, 0) << "reference script failed: " << cmd << "\n" << out;
}

}  // namespace osc::test
