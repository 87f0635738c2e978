// `outlierscope tokenize`: ids from llama.cpp's vectors ("Hello world" -> 15043 3186 with the
// LLaMA vocabulary, BOS 1 by the model's default), --no-bos, --file's tokens/s line, and exit
// status 2 for bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "support/shared_data.h"

namespace osc {
namespace {

std::string llama_vocab() { return test::shared_path("testdata/tokenizer/ggml-vocab-llama-spm.gguf"); }

nlohmann::json run_json(const std::string& args) {
  std::string out;
  const int rc = test::run_command(test::cli_path() + " tokenize " + args + " --json 2>/dev/null", &out);
  EXPECT_EQ(rc, 0) << out;
  return nlohmann::json::parse(out);
}

TEST(TokenizerCli, PrintsIdsAndPiecesAsJson) {
  OSC_REQUIRE_SHARED(llama_vocab());
  const auto j = run_json("'" + llama_vocab() + "' 'Hello world'");
  EXPECT_EQ(j["ids"], nlohmann::json({1, 15043, 3186}));
  EXPECT_EQ(j["display"], nlohmann::json({"<s>", " Hello", " world"}));
  EXPECT_EQ(j["pieces"][1], "\xE2\x96\x81Hello");
  EXPECT_EQ(j["tokenizer"]["kind"], "sentencepiece-bpe");
  const auto no_bos = run_json("'" + llama_vocab() + "' 'Hello world' --no-bos");
  EXPECT_EQ(no_bos["ids"], nlohmann::json({15043, 3186}));
}

TEST(TokenizerCli, FileReportsThroughput) {
  OSC_REQUIRE_SHARED(llama_vocab());
  const std::string dir = test::scratch_dir("tokenizer_cli");
  write_text_atomically(dir + "/in.txt", "Hello world");
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path() + " tokenize '" + llama_vocab() + "' --file " + dir + "/in.txt", &out), 0) << out;
  EXPECT_NE(out.find("15043"), std::string::npos) << out;
  EXPECT_NE(out.find("tokens/s"), std::string::npos) << out;
}

TEST(TokenizerCli, BadInputExitsWithStatus2) {
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path() + " tokenize /nonexistent/tokenizer.json 'x'", &out), 2) << out;
  EXPECT_NE(out.find("no such file"), std::string::npos) << out;
}

}  // namespace
}  // namespace osc
