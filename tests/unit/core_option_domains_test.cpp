// core/option_domains.h: lookups (command-specific before generic), readable bound texts (no
// 300-digit DBL_MAX), and which texts a domain refuses (NaN, infinities, text, fractions for integers).
#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "core/option_domains.h"

namespace osc {
namespace {

TEST(OptionDomains, CommandSpecificEntriesComeFirst) {
  const OptionDomain* perplexity = find_option_domain("perplexity", "--ctx");
  const OptionDomain* train = find_option_domain("train", "--ctx");
  ASSERT_NE(perplexity, nullptr);
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(perplexity->lo, 2);  // a window of one token scores nothing
  EXPECT_EQ(train->lo, 1);
  EXPECT_EQ(find_option_domain("scan ablate", "--act-k"), find_option_domain("scan", "--act-k"));
  EXPECT_EQ(find_option_domain("train", "--no-such-option"), nullptr);
}

TEST(OptionDomains, BoundsReadAsWritten) {
  EXPECT_EQ(domain_text({1, 4096, false, false, true}), "1..4096");
  EXPECT_EQ(domain_text({0, 1, false, true, false}), "[0, 1)");
  EXPECT_EQ(domain_text({0, 10, true, true, false}), "(0, 10)");
  EXPECT_EQ(domain_text({0, 1e30, false, false, false}), "[0, 1e+30]");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(domain_text({0, inf, false, false, true}), ">= 0");
  EXPECT_EQ(domain_text({1, inf, true, false, false}), "> 1");
}

TEST(OptionDomains, RefusesWhatIsOutside) {
  const OptionDomain unit{0, 1, false, true, false};  // [0, 1)
  for (const char* good : {"0", "0.5", "0.999", "1e-3"}) EXPECT_EQ(domain_violation(unit, good), "") << good;
  for (const char* bad : {"1", "-0.1", "nan", "inf", "-inf", "abc", "", "0.5x"})
    EXPECT_NE(domain_violation(unit, bad), "") << bad;
  EXPECT_EQ(domain_violation(unit, "nan"), "got 'nan'; must be a finite number in [0, 1)");
  const OptionDomain count{1, 4096, false, false, true};
  for (const char* good : {"1", "4096", "+7"}) EXPECT_EQ(domain_violation(count, good), "") << good;
  for (const char* bad : {"0", "4097", "1.5", "1e3", "-1"}) EXPECT_NE(domain_violation(count, bad), "") << bad;
  EXPECT_EQ(domain_violation(count, "0"), "got '0'; must be an integer in 1..4096");
}

TEST(OptionDomains, LibraryValuesAreCheckedAgainstTheSameTable) {
  EXPECT_NO_THROW(check_option_value("train", "--beta2", 0.95));
  for (double bad : {-1.0, 1.0, std::numeric_limits<double>::quiet_NaN()}) {
    try {
      check_option_value("train", "--beta2", bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_status(), 2);
      EXPECT_NE(std::string(e.what()).find("--beta2"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(check_option_value("train", "--steps", 1.5), Error);
}

}  // namespace
}  // namespace osc
