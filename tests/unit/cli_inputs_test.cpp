// The inputs users type, through the program: `run --ids` (the same activations as the text the ids
// came from; a synthesised model without a tokenizer runs), `--bos / --no-bos`, special tokens in
// `tokenize` parsed as Hugging Face does ("<s>" -> id 1) unless --no-parse-special, `generate`'s
// sampling options (top-k 1 is greedy, a seed repeats a draw) and its notice at the context limit,
// `info` on a tokenizer-only file, and every new numeric option out of its domain -> exit 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "core/atomic_write.h"
#include "formats/safetensors.h"
#include "support/shared_data.h"

namespace osc {
namespace {

std::string stories(const std::string& file) { return test::shared_path("testdata/stories260K/" + file); }
std::string llama_vocab() { return test::shared_path("testdata/tokenizer/ggml-vocab-llama-spm.gguf"); }

// A subshell, so that redirections in `args` hold (run_command appends its own 2>&1).
int cli(const std::string& args, std::string* out) { return test::run_command("(" + test::cli_path() + " " + args + ")", out); }

std::string cli_ok(const std::string& args) {
  std::string out;
  EXPECT_EQ(cli(args, &out), 0) << args << "\n" << out;
  return out;
}

std::vector<float> tensor(const std::string& file, const std::string& name) {
  return read_safetensors(file).tensors.get(name, file).to_f32();
}

TEST(RunInputs, IdsGiveTheActivationsOfTheTextTheyCameFrom) {
  OSC_REQUIRE_SHARED(stories("stories260K.gguf"));
  const std::string dir = test::scratch_dir("cli_inputs_ids");
  const std::string model = stories("stories260K.gguf");
  const auto ids = nlohmann::json::parse(cli_ok("tokenize " + model + " 'Once upon a time' --json 2>/dev/null"))["ids"];
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + std::to_string(id.get<int>());
  cli_ok("-q run " + model + " --text 'Once upon a time' --out " + dir + "/text.safetensors 2>&1");
  cli_ok("-q run " + model + " --ids " + list + " --out " + dir + "/ids.safetensors 2>&1");
  EXPECT_EQ(tensor(dir + "/ids.safetensors", "input_ids"), tensor(dir + "/text.safetensors", "input_ids"));
  EXPECT_EQ(tensor(dir + "/ids.safetensors", "hook_logits"), tensor(dir + "/text.safetensors", "hook_logits"));
}

TEST(RunInputs, BosFlagsChooseTheFirstToken) {
  OSC_REQUIRE_SHARED(stories("stories260K.gguf"));
  const std::string dir = test::scratch_dir("cli_inputs_bos");
  const std::string model = stories("stories260K.gguf");
  cli_ok("-q run " + model + " --text 'Once upon' --out " + dir + "/default.safetensors 2>&1");
  cli_ok("-q run " + model + " --text 'Once upon' --no-bos --out " + dir + "/no_bos.safetensors 2>&1");
  cli_ok("-q run " + model + " --ids 4,5 --bos --out " + dir + "/ids_bos.safetensors 2>&1");
  const std::vector<float> with = tensor(dir + "/default.safetensors", "input_ids");
  const std::vector<float> without = tensor(dir + "/no_bos.safetensors", "input_ids");
  ASSERT_EQ(with.size(), without.size() + 1);
  EXPECT_EQ(with[0], 1.0f);  // stories260K adds BOS (id 1) by default
  EXPECT_EQ(std::vector<float>(with.begin() + 1, with.end()), without);
  EXPECT_EQ(tensor(dir + "/ids_bos.safetensors", "input_ids"), (std::vector<float>{1, 4, 5}));
  std::string out;
  EXPECT_EQ(cli("run " + model + " --text x --bos --no-bos", &out), 2) << out;
}

TEST(RunInputs, ASynthesisedModelRunsOnIdsAndItsTextErrorSuggestsThem) {
  const std::string dir = test::scratch_dir("cli_inputs_synth");
  cli_ok("-q synth --arch llama --preset tiny --out " + dir + "/m 2>&1");
  const std::string summary = cli_ok("run " + dir + "/m --ids 1,2,3 2>&1");
  EXPECT_NE(summary.find("hook_logits"), std::string::npos) << summary;
  EXPECT_NE(summary.find("[3, 512]"), std::string::npos) << summary;
  std::string out;
  EXPECT_EQ(cli("run " + dir + "/m --text hello", &out), 2) << out;
  EXPECT_NE(out.find("no tokenizer"), std::string::npos) << out;
  EXPECT_NE(out.find("--ids"), std::string::npos) << out;
  for (const char* bad : {"--ids 1,x", "--ids -1", "--ids 512", "--ids 1 --text a"}) {
    EXPECT_EQ(cli("run " + dir + "/m " + bad, &out), 2) << bad << ": " << out;
    EXPECT_EQ(out.find("Segmentation"), std::string::npos) << out;
  }
}

TEST(TokenizeSpecial, SpecialTokenTextsAreThoseTokensUnlessTurnedOff) {
  OSC_REQUIRE_SHARED(llama_vocab());
  // Hugging Face's LlamaTokenizer("<s>Hello") = [1, 1, 15043]: BOS, then the "<s>" in the text.
  const auto parsed = nlohmann::json::parse(cli_ok("tokenize " + llama_vocab() + " '<s>Hello' --json 2>/dev/null"));
  EXPECT_EQ(parsed["ids"], nlohmann::json({1, 1, 15043}));
  const auto plain = nlohmann::json::parse(cli_ok("tokenize " + llama_vocab() + " '<s>Hello' --json --no-parse-special 2>/dev/null"));
  ASSERT_GT(plain["ids"].size(), 3u) << plain["ids"];
  EXPECT_EQ(plain["ids"][0], 1);
  for (size_t i = 1; i < plain["ids"].size(); ++i) EXPECT_NE(plain["ids"][i], 1) << plain["ids"];
}

TEST(GenerateOptions, TopKOneIsGreedyAndASeedRepeatsTheDraw) {
  OSC_REQUIRE_SHARED(stories("stories260K.gguf"));
  const std::string base = "-q generate " + stories("stories260K.gguf") + " --prompt 'Once upon a time' -n 20 2>/dev/null";
  const std::string greedy = cli_ok(base);
  EXPECT_EQ(cli_ok(base + " --temperature 1.5 --top-k 1 --seed 5"), greedy);
  EXPECT_EQ(cli_ok(base + " --temperature 1.5 --top-p 1e-9 --seed 5"), greedy) << "top-p keeps at least the argmax";
  const std::string sampled = cli_ok(base + " --temperature 1.0 --top-k 40 --top-p 0.95 --seed 9");
  EXPECT_EQ(cli_ok(base + " --temperature 1.0 --top-k 40 --top-p 0.95 --seed 9"), sampled);
}

TEST(GenerateOptions, SaysWhenTheContextCutsItShort) {
  OSC_REQUIRE_SHARED(stories("stories260K.gguf"));
  const std::string out = cli_ok("generate " + stories("stories260K.gguf") + " --prompt 'Once upon a time' -n 400 2>&1 >/dev/null");
  EXPECT_TRUE(std::regex_search(out, std::regex("stopped at the model's context of 128 tokens \\(123 of the 400"))) << out;
  const std::string short_run = cli_ok("generate " + stories("stories260K.gguf") + " --prompt 'Once upon a time' -n 5 2>&1 >/dev/null");
  EXPECT_EQ(short_run.find("stopped at the model's context"), std::string::npos) << short_run;
}

TEST(NewOptions, OutOfDomainExitsWithStatus2AtParseTime) {
  // The model does not exist: status 2 with the option's name shows the check ran before loading.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"generate /nonexistent --prompt x --top-k -1", "--top-k"},
      {"generate /nonexistent --prompt x --top-k many", "--top-k"},
      {"generate /nonexistent --prompt x --top-p 0", "--top-p"},
      {"generate /nonexistent --prompt x --top-p 1.5", "--top-p"},
      {"generate /nonexistent --prompt x --top-k 5", "--temperature"},
      {"perplexity /nonexistent --file x --ctx 8 --stride 0", "--stride"},
      {"perplexity /nonexistent --file x --ctx 8 --stride 9", "--stride"},
      {"plot /nonexistent.json --width 1600px", "--width"},
      {"plot /nonexistent.json --width 100", "--width"},
      {"plot /nonexistent.json --height 20000", "--height"},
      {"run /nonexistent --ids 1,,x", "--ids"},
  };
  for (const auto& [args, option] : cases) {
    std::string out;
    EXPECT_EQ(cli(args, &out), 2) << args << "\n" << out;
    EXPECT_NE(out.find(option), std::string::npos) << args << "\n" << out;
    EXPECT_FALSE(std::regex_search(out, std::regex("[0-9]{25}"))) << "a 300-digit bound: " << out;
  }
}

TEST(InfoTokenizer, ATokenizerFileIsRecognised) {
  OSC_REQUIRE_SHARED(stories("tok512.bin"));
  const std::string out = cli_ok("info " + stories("tok512.bin") + " 2>&1");
  EXPECT_NE(out.find("tokenizer only"), std::string::npos) << out;
  EXPECT_NE(out.find("512 tokens"), std::string::npos) << out;
  EXPECT_EQ(out.find("out of range"), std::string::npos) << out;
  std::string err;
  EXPECT_EQ(cli("run " + stories("tok512.bin") + " --text hi", &err), 2) << err;
  EXPECT_NE(err.find("tokenizer file without model weights"), std::string::npos) << err;
}

}  // namespace
}  // namespace osc
