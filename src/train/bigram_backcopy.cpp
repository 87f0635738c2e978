#include <algorithm>
#include <filesystem>
#include <numeric>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/option_domains.h"
#include "train/prepare_data.h"
#include "train/rng.h"

namespace osc::train {
namespace {

// Sparse random transition matrix: every token has `successors` next tokens with random weights,
// stored as cumulative probabilities.
struct BigramChain {
  std::vector<std::vector<int32_t>> next;
  std::vector<std::vector<double>> cumulative;

  int32_t step(int32_t from, Rng& rng) const {
    const auto& c = cumulative[static_cast<size_t>(from)];
    const double u = rng.uniform() * c.back();
    const size_t k = static_cast<size_t>(std::upper_bound(c.begin(), c.end(), u) - c.begin());
    return next[static_cast<size_t>(from)][std::min(k, c.size() - 1)];
  }
};

BigramChain random_chain(const BigramBackcopyOptions& o, Rng& rng) {
  BigramChain chain;
  std::vector<int32_t> all(static_cast<size_t>(o.vocab));
  std::iota(all.begin(), all.end(), 0);
  for (int64_t v = 0; v < o.vocab; ++v) {
    for (int64_t k = 0; k < o.successors; ++k)  // partial Fisher-Yates: distinct successors
      std::swap(all[static_cast<size_t>(k)], all[static_cast<size_t>(k + static_cast<int64_t>(rng.below(static_cast<uint64_t>(o.vocab - k))))]);
    std::vector<int32_t> next(all.begin(), all.begin() + o.successors);
    std::vector<double> cum;
    double total = 0.0;
    for (size_t k = 0; k < next.size(); ++k) cum.push_back(total += 0.05 + rng.uniform());
    chain.next.push_back(std::move(next));
    chain.cumulative.push_back(std::move(cum));
  }
  return chain;
}

void append_sequence(const BigramBackcopyOptions& o, const BigramChain& chain, Rng& rng, std::vector<int32_t>& out) {
  const int32_t first_trigger = static_cast<int32_t>(o.vocab - o.triggers);
  out.push_back(static_cast<int32_t>(o.vocab));  // BOS
  int32_t prev = static_cast<int32_t>(rng.below(static_cast<uint64_t>(first_trigger)));
  out.push_back(prev);
  int32_t before_prev = -1;
  for (int64_t t = 2; t <= o.seq_len; ++t) {
    const int32_t next = (prev >= first_trigger && before_prev >= 0) ? before_prev : chain.step(prev, rng);
    out.push_back(next);
    before_prev = prev;
    prev = next;
  }
}

}  // namespace

TokenDataMeta prepare_bigram_backcopy(const BigramBackcopyOptions& o) {
  check_option_value("prepare", "--vocab", static_cast<double>(o.vocab));
  OSC_CHECK_INPUT(o.triggers >= 1 && o.triggers < o.vocab, "--triggers", "must be in 1..vocab-1");
  check_option_value("prepare", "--seq-len", static_cast<double>(o.seq_len));
  check_option_value("prepare", "--train-tokens", static_cast<double>(o.train_tokens));
  check_option_value("prepare", "--val-fraction", o.val_fraction);
  OSC_CHECK_INPUT(o.successors >= 1 && o.successors <= o.vocab, "successors", "must be in 1..vocab");
  Rng rng(o.seed);
  const BigramChain chain = random_chain(o, rng);
  const int64_t per_seq = o.seq_len + 1;  // BOS + seq_len tokens: a context of seq_len has targets
  const int64_t n_train = (o.train_tokens + per_seq - 1) / per_seq;
  const int64_t n_val = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(n_train) * o.val_fraction));
  std::vector<int32_t> train, val;
  for (int64_t s = 0; s < n_train; ++s) append_sequence(o, chain, rng, train);
  for (int64_t s = 0; s < n_val; ++s) append_sequence(o, chain, rng, val);
  TokenDataMeta m;
  m.vocab_size = o.vocab + 1;
  m.bytes_per_token = bytes_per_token_for_vocab(m.vocab_size);
  m.tokenizer = "bigram-backcopy";
  m.bos_token = o.vocab;
  m.train_tokens = static_cast<int64_t>(train.size());
  m.val_tokens = static_cast<int64_t>(val.size());
  m.aligned_sequence = per_seq;
  std::vector<int64_t> triggers;
  for (int64_t t = o.vocab - o.triggers; t < o.vocab; ++t) triggers.push_back(t);
  m.extra = {{"name", "bigram-backcopy"}, {"triggers", triggers}, {"seq_len", o.seq_len},
             {"successors", o.successors}, {"seed", o.seed}};
  std::filesystem::create_directories(o.out_dir);
  write_token_file(o.out_dir + "/train.bin", train, m.bytes_per_token);
  write_token_file(o.out_dir + "/val.bin", val, m.bytes_per_token);
  write_text_atomically(o.out_dir + "/meta.json", token_meta_to_json(m).dump(2) + "\n");
  return m;
}

}  // namespace osc::train
