// Next-token sampling (model/sampling.h) against Hugging Face's logits warpers in PyTorch
// (tests/reference/sampling_ref.py): the distribution after temperature, top-k and top-p equals the
// reference for every case, and 40000 seeded draws follow it (each token's frequency within 5
// standard errors, no draw outside the kept tokens).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "core/atomic_write.h"
#include "core/text_file.h"
#include "model/sampling.h"
#include "support/shared_data.h"

namespace osc {
namespace {

constexpr int64_t kVocab = 50;

std::vector<std::vector<float>> random_logits(int rows) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 2.5f);
  std::vector<std::vector<float>> out(rows, std::vector<float>(kVocab));
  for (auto& row : out)
    for (float& x : row) x = normal(rng);
  return out;
}

const std::vector<SamplingOptions> kCases = {
    {1.0, 0, 1.0}, {0.7, 0, 1.0}, {1.0, 5, 1.0}, {1.0, 0, 0.9}, {0.8, 10, 0.5}, {1.5, 1, 1.0}, {1.0, 0, 0.05}, {2.0, 60, 0.999},
};

class Sampling : public testing::Test {
 protected:
  void SetUp() override {
    logits_ = random_logits(4);
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : kCases) cases.push_back({{"temperature", c.temperature}, {"top_k", c.top_k}, {"top_p", c.top_p}});
    const std::string dir = test::scratch_dir("model_sampling");
    write_text_atomically(dir + "/in.json", nlohmann::json({{"logits", logits_}, {"cases", cases}}).dump());
    test::run_reference("sampling_ref.py", dir + "/in.json " + dir + "/out.json");
    if (HasFatalFailure()) return;
    reference_ = nlohmann::json::parse(read_text_file(dir + "/out.json"))["distributions"];
  }
  std::vector<std::vector<float>> logits_;
  nlohmann::json reference_;
};

TEST_F(Sampling, DistributionEqualsHuggingFacesWarpers) {
  ASSERT_EQ(reference_.size(), kCases.size());
  for (size_t c = 0; c < kCases.size(); ++c) {
    for (size_t r = 0; r < logits_.size(); ++r) {
      const std::vector<double> got = next_token_distribution(logits_[r].data(), kVocab, kCases[c]);
      const std::vector<double> want = reference_[c][r].get<std::vector<double>>();
      int kept = 0;
      for (int64_t v = 0; v < kVocab; ++v) {
        EXPECT_NEAR(got[v], want[v], 1e-9) << "case " << c << " row " << r << " token " << v;
        kept += got[v] > 0;
      }
      if (kCases[c].top_k > 0 && kCases[c].top_k < kVocab) {
        EXPECT_LE(kept, kCases[c].top_k) << "case " << c;
      }
    }
  }
}

TEST_F(Sampling, DrawsFollowTheReferenceDistribution) {
  constexpr int kDraws = 40000;
  for (size_t c : {size_t{0}, size_t{4}}) {  // plain sampling; all three filters together
    std::mt19937_64 rng(11);
    std::vector<int> counts(kVocab, 0);
    for (int i = 0; i < kDraws; ++i) ++counts[sample_next_token(logits_[0].data(), kVocab, kCases[c], rng)];
    const std::vector<double> want = reference_[c][0].get<std::vector<double>>();
    for (int64_t v = 0; v < kVocab; ++v) {
      const double freq = static_cast<double>(counts[v]) / kDraws;
      if (want[v] == 0.0) {
        EXPECT_EQ(counts[v], 0) << "case " << c << ": token " << v << " was filtered out but drawn";
        continue;
      }
      const double standard_error = std::sqrt(want[v] * (1 - want[v]) / kDraws);
      EXPECT_NEAR(freq, want[v], 5 * standard_error + 1e-12) << "case " << c << " token " << v;
    }
  }
}

TEST(SamplingGreedy, TemperatureZeroIsTheArgmax) {
  const std::vector<float> logits = {0.5f, 3.0f, -1.0f, 3.0f, 2.0f};
  std::mt19937_64 rng(0);
  EXPECT_EQ(sample_next_token(logits.data(), 5, SamplingOptions{}, rng), 1);  // ties: the lowest id
  EXPECT_EQ(next_token_distribution(logits.data(), 5, SamplingOptions{})[1], 1.0);
}

}  // namespace
}  // namespace osc
