// Exports of runs trained on byte-valued data carry a byte-level tokenizer.json: text read through
// it gives back the raw UTF-8 bytes as ids (plus BOS for the Bigram-Backcopy task), which is the
// encoding the training data used; other data gets no tokenizer file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/shared_data.h"

namespace osc::train {
namespace {

const std::string kTrainTiny = " --layers 1 --heads 1 --dim 8 --ctx 16 --batch 2 --steps 1 --eval-every 0 --quiet";

std::string run_ok(const std::string& args) {
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path() + " " + args, &out), 0) << args << "\n" << out;
  return out;
}

// Trains one step on the prepared data and returns the ids the export's tokenizer gives `text`.
std::vector<int32_t> exported_ids(const std::string& dir, const std::string& prepare_args, const std::string& text) {
  run_ok("prepare " + prepare_args + " --out " + dir + "/data --quiet");
  run_ok("train --data " + dir + "/data --out " + dir + "/run" + kTrainTiny);
  const std::string json = run_ok("tokenize " + dir + "/run/export '" + text + "' --json");
  return nlohmann::json::parse(json.substr(json.find('{')))["ids"].get<std::vector<int32_t>>();
}

TEST(TrainExportTokenizer, ByteTextRunsReadTextAsItsUtf8Bytes) {
  const std::string dir = test::scratch_dir("train_export_tokenizer_byte");
  std::ofstream(dir + "/a.txt") << std::string(400, 'x') << "The quick brown fox.\n";
  // "Hé!" is H, then é as the two bytes C3 A9, then !; no BOS, as in `prepare --tokenizer byte`.
  EXPECT_EQ(exported_ids(dir, "--tokenizer byte " + dir + "/a.txt", "H\xC3\xA9!"),
            (std::vector<int32_t>{72, 0xC3, 0xA9, 33}));
}

TEST(TrainExportTokenizer, BigramBackcopyRunsPrependBos) {
  const std::string dir = test::scratch_dir("train_export_tokenizer_bb");
  EXPECT_EQ(exported_ids(dir, "--bigram-backcopy --vocab 256 --triggers 3 --seq-len 16 --train-tokens 2000", "ab"),
            (std::vector<int32_t>{256, 97, 98}));
  std::ifstream config(dir + "/run/export/tokenizer_config.json");
  const auto json = nlohmann::json::parse(config);
  EXPECT_EQ(json.at("bos_token"), "<s>");
  EXPECT_EQ(json.at("model_max_length"), 16) << "the model's --ctx";
}

TEST(TrainExportTokenizer, OtherVocabulariesGetNoTokenizerFile) {
  const std::string dir = test::scratch_dir("train_export_tokenizer_none");
  run_ok("prepare --bigram-backcopy --vocab 64 --triggers 3 --seq-len 16 --train-tokens 2000 --out " + dir + "/data --quiet");
  run_ok("train --data " + dir + "/data --out " + dir + "/run" + kTrainTiny);
  EXPECT_TRUE(std::filesystem::exists(dir + "/run/export/config.json"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/run/export/tokenizer.json"));
}

}  // namespace
}  // namespace osc::train
