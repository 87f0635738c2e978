// Checkpoint::open format detection over the shared files, and `outlierscope info` run as a
// program (text, --json, exit status 2 with a one-line error for bad input).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "formats/checkpoint.h"
#include "model/checkpoint_config.h"
#include "support/shared_data.h"

namespace osc {
namespace {

TEST(Checkpoint, DetectsEachFormat) {
  const std::string root = test::shared_path("testdata/stories260K");
  OSC_REQUIRE_SHARED(root);
  Checkpoint hf = Checkpoint::open(root + "/hf");
  EXPECT_EQ(hf.format(), CheckpointFormat::HfDirectory);
  ASSERT_NE(hf.hf_config(), nullptr);
  EXPECT_EQ(hf.tensors().size(), 47u);
  EXPECT_EQ(checkpoint_config(hf).n_kv_heads, 4);
  EXPECT_EQ(hf.directory(), root + "/hf");
  Checkpoint gguf = Checkpoint::open(root + "/stories260K.gguf");
  EXPECT_EQ(gguf.format(), CheckpointFormat::Gguf);
  ASSERT_NE(gguf.gguf(), nullptr);
  EXPECT_EQ(checkpoint_config(gguf).d_ff, 172);
  Checkpoint bin = Checkpoint::open(root + "/stories260K.bin");
  EXPECT_EQ(bin.format(), CheckpointFormat::Llama2c);
  EXPECT_EQ(checkpoint_config(bin).max_positions, 512);
  Checkpoint st = Checkpoint::open(root + "/hf/model.safetensors");
  EXPECT_EQ(st.format(), CheckpointFormat::Safetensors);
  EXPECT_FALSE(st.has_config());
  EXPECT_EQ(st.safetensors_metadata().at("format"), "pt");
  // Views outlive the Checkpoint: they own their mapping.
  TensorView emb = Checkpoint::open(root + "/stories260K.gguf").tensors().get("token_embd.weight", "t");
  EXPECT_EQ(emb.to_f32().size(), 512u * 64u);
}

TEST(Checkpoint, TokenizerOnlyFolderAndErrors) {
  const std::string dir = test::scratch_dir("checkpoint-tok");
  std::ofstream(dir + "/tokenizer.json") << "{}";
  Checkpoint t = Checkpoint::open(dir);
  EXPECT_EQ(t.format(), CheckpointFormat::TokenizerOnly);
  EXPECT_TRUE(t.tensors().empty());
  try {
    checkpoint_config(t);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir + ": a tokenizer source does not describe the model (no config.json, GGUF metadata or llama2.c header)");
  }
  const std::string empty = test::scratch_dir("checkpoint-empty");
  try {
    Checkpoint::open(empty);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), empty + ": folder has no config.json, model.safetensors or tokenizer files");
  }
  const std::string junk = test::scratch_dir("checkpoint-junk") + "/notes.txt";
  std::ofstream(junk) << "hello";
  try {
    Checkpoint::open(junk);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), junk + ": not a GGUF, safetensors or llama2.c checkpoint");
  }
}

std::string run_info(const std::string& args, int* status) {
  std::string out;
  *status = test::run_command(test::cli_path() + " info " + args, &out);
  return out;
}

TEST(InfoCli, StoriesGgufTextAndJson) {
  const std::string path = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(path);
  int status = -1;
  std::string text = run_info(path, &status);
  ASSERT_EQ(status, 0) << text;
  for (const char* line : {"format: gguf (version 3, alignment 32)", "architecture: llama", "  n_layers: 5\n",
                           "  d_model: 64\n", "  n_heads: 8\n", "  n_kv_heads: 4\n", "  vocab_size: 512\n",
                           "  d_ff: 172\n", "tensors: 48", "total parameters: 292800",
                           "tokenizer.ggml.tokens (ARRAY<STRING>) = array<STRING, 512>[\"<unk>\", \"<s>\""})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  std::string js = run_info(path + " --json", &status);
  ASSERT_EQ(status, 0) << js;
  auto j = nlohmann::json::parse(js);
  EXPECT_EQ(j["config"]["n_layers"], 5);
  EXPECT_EQ(j["config"]["d_model"], 64);
  EXPECT_EQ(j["config"]["n_heads"], 8);
  EXPECT_EQ(j["config"]["n_kv_heads"], 4);
  EXPECT_EQ(j["config"]["vocab_size"], 512);
  EXPECT_EQ(j["config"]["d_ff"], 172);
  EXPECT_EQ(j["tensors"].size(), 48u);
  EXPECT_EQ(j["metadata"].size(), 19u);
  EXPECT_EQ(j["total_parameters"], 292800);  // 260032 + the untied 512 x 64 output copy
}

TEST(InfoCli, EveryVocabGgufListsMetadata) {
  const std::string dir = test::shared_path("testdata/tokenizer");
  OSC_REQUIRE_SHARED(dir);
  for (const char* name : {"baichuan", "bert-bge", "deepseek-coder", "deepseek-llm", "falcon", "gpt-2", "gpt-neox",
                           "llama-spm", "mpt", "phi-3", "refact", "starcoder"}) {
    int status = -1;
    std::string js = run_info(dir + "/ggml-vocab-" + name + ".gguf --json", &status);
    ASSERT_EQ(status, 0) << name << "\n" << js;
    auto j = nlohmann::json::parse(js);
    EXPECT_GT(j["metadata"].size(), 10u) << name;
    bool has_tokens = false;
    for (const auto& m : j["metadata"]) has_tokens |= m["key"] == "tokenizer.ggml.tokens" && m["length"] > 1000;
    EXPECT_TRUE(has_tokens) << name;
  }
}

TEST(InfoCli, HfAndLlama2c) {
  const std::string root = test::shared_path("testdata/stories260K");
  OSC_REQUIRE_SHARED(root);
  int status = -1;
  auto hf = nlohmann::json::parse(run_info(root + "/hf --json", &status));
  EXPECT_EQ(hf["format"], "hf");
  EXPECT_EQ(hf["config"]["tied_embeddings"], true);
  EXPECT_EQ(hf["total_parameters"], 260032);
  auto bin = nlohmann::json::parse(run_info(root + "/stories260K.bin --json", &status));
  EXPECT_EQ(bin["format"], "llama2c");
  EXPECT_EQ(bin["total_parameters"], 260032);
}

TEST(InfoCli, BadInputExitsWithStatus2) {
  const std::string dir = test::scratch_dir("info-bad");
  const std::string bad = dir + "/broken.gguf";
  std::ofstream(bad) << "GGUF\x09";
  int status = -1;
  std::string out = run_info(bad, &status);
  EXPECT_EQ(status, 2);
  EXPECT_EQ(out, "outlierscope: error: " + bad + ": version at offset 4 runs past the end of the file (size 5)\n");
  out = run_info(dir + "/missing.gguf", &status);
  EXPECT_EQ(status, 2);
  EXPECT_EQ(out, "outlierscope: error: " + dir + "/missing.gguf: no such file or folder\n");
}

}  // namespace
}  // namespace osc
