// Progress (core/progress.h): the final line's count and rate. A resumed job's rate counts only the
// units of this run (a resumed training run showed millions of steps/s), and a job whose first
// update already counts one unit still gets a rate.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/progress.h"

namespace osc {
namespace {

// The rate printed before " step/s" on the last line of `err`.
double printed_rate(const std::string& err) {
  const size_t unit = err.rfind(" step/s");
  EXPECT_NE(unit, std::string::npos) << err;
  const size_t begin = err.rfind(' ', unit - 1) + 1;
  return std::strtod(err.substr(begin, unit - begin).c_str(), nullptr);
}

std::string run_job(int64_t resumed_at, int64_t first_update) {
  set_global_quiet(false);
  testing::internal::CaptureStderr();
  {
    Progress p("job", 100, "step", false);
    if (resumed_at > 0) p.start_from(resumed_at);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    p.update(first_update);
    p.finish();
  }
  return testing::internal::GetCapturedStderr();
}

TEST(Progress, AResumedJobCountsOnlyTheUnitsOfThisRun) {
  const std::string err = run_job(90, 91);
  EXPECT_NE(err.find("91/100"), std::string::npos) << err;
  EXPECT_LE(printed_rate(err), 10.0) << "one step in at least 0.1 s, not 91: " << err;
  EXPECT_GT(printed_rate(err), 0.0) << err;
}

TEST(Progress, AJobWhoseFirstUpdateIsOneUnitHasARate) {
  const std::string err = run_job(0, 1);
  EXPECT_NE(err.find("1/100"), std::string::npos) << err;
  EXPECT_GT(printed_rate(err), 0.0) << err;
}

}  // namespace
}  // namespace osc
