// llama2.c checkpoints and tokenizers: the shared stories260K.bin must hold exactly the GGUF's
// weights (README: rebuilt bit-identically from them), and un-permuting its q/k rows must give
// the HF safetensors' rows (exported there with llama2.c's permute_original).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/llama2c.h"
#include "formats/rope_layout.h"
#include "formats/safetensors.h"
#include "support/shared_data.h"

namespace osc {
namespace {

bool same_bytes(const TensorView& a, const TensorView& b) {
  return a.shape == b.shape && a.nbytes == b.nbytes && std::memcmp(a.data, b.data, a.nbytes) == 0;
}

TEST(Llama2c, StoriesWeightsEqualTheGguf) {
  const std::string bin = test::shared_path("testdata/stories260K/stories260K.bin");
  OSC_REQUIRE_SHARED(bin);
  Llama2cCheckpoint ck = read_llama2c(bin);
  EXPECT_EQ(ck.header.dim, 64);
  EXPECT_EQ(ck.header.hidden_dim, 172);
  EXPECT_EQ(ck.header.n_kv_heads, 4);
  EXPECT_TRUE(ck.header.shared_classifier);
  EXPECT_TRUE(ck.rope_interleaved_qk);
  EXPECT_EQ(ck.tensors.size(), 2u + 9u * 5u);
  GgufFile g = GgufFile::open(test::shared_path("testdata/stories260K/stories260K.gguf"));
  const std::pair<const char*, const char*> names[] = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"model.layers.3.self_attn.q_proj.weight", "blk.3.attn_q.weight"},
      {"model.layers.3.self_attn.k_proj.weight", "blk.3.attn_k.weight"},
      {"model.layers.4.self_attn.o_proj.weight", "blk.4.attn_output.weight"},
      {"model.layers.0.mlp.gate_proj.weight", "blk.0.ffn_gate.weight"},
      {"model.layers.0.mlp.up_proj.weight", "blk.0.ffn_up.weight"},
      {"model.layers.1.mlp.down_proj.weight", "blk.1.ffn_down.weight"},
      {"model.layers.2.input_layernorm.weight", "blk.2.attn_norm.weight"},
      {"model.layers.2.post_attention_layernorm.weight", "blk.2.ffn_norm.weight"},
  };
  for (const auto& [ours, theirs] : names)
    EXPECT_TRUE(same_bytes(ck.tensors.get(ours, "t"), g.tensors().get(theirs, "t"))) << ours;
}

TEST(Llama2c, UnpermutedQueryRowsEqualHf) {
  const std::string bin = test::shared_path("testdata/stories260K/stories260K.bin");
  OSC_REQUIRE_SHARED(bin);
  Llama2cCheckpoint ck = read_llama2c(bin);
  SafetensorsContents hf = read_safetensors(test::shared_path("testdata/stories260K/hf/model.safetensors"));
  for (int layer = 0; layer < 5; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".self_attn.";
    const TensorView& q = ck.tensors.get(p + "q_proj.weight", "t");
    const TensorView& k = ck.tensors.get(p + "k_proj.weight", "t");
    EXPECT_FALSE(same_bytes(q, hf.tensors.get(p + "q_proj.weight", "t")));
    EXPECT_TRUE(same_bytes(unpermute_rope_rows(q, 8), hf.tensors.get(p + "q_proj.weight", "t"))) << layer;
    EXPECT_TRUE(same_bytes(unpermute_rope_rows(k, 4), hf.tensors.get(p + "k_proj.weight", "t"))) << layer;
  }
}

TEST(Llama2c, UnpermuteByHand) {
  // One head of 4 rows [r0, r1, r2, r3] (pairs (r0, r1), (r2, r3)) -> rotate_half order [r0, r2, r1, r3].
  const std::vector<float> w = {0, 1, 2, 3};
  TensorView v;
  v.shape = {4, 1};
  v.data = w.data();
  v.nbytes = 16;
  EXPECT_EQ(unpermute_rope_rows(v, 1).to_f32(), (std::vector<float>{0, 2, 1, 3}));
}

TEST(Llama2c, Tokenizer) {
  const std::string tok = test::shared_path("testdata/stories260K/tok512.bin");
  OSC_REQUIRE_SHARED(tok);
  Llama2cVocab v = read_llama2c_tokenizer(tok, 512);
  EXPECT_EQ(v.max_token_length, 7);
  ASSERT_EQ(v.pieces.size(), 512u);
  EXPECT_EQ(v.pieces[1], "\n<s>\n");  // tokenizer.py's BOS spelling (README)
  EXPECT_EQ(v.pieces[2], "\n</s>\n");
  EXPECT_EQ(read_llama2c_tokenizer(tok).pieces.size(), 512u);  // read to the end
  GgufFile g = GgufFile::open(test::shared_path("testdata/stories260K/stories260K.gguf"));
  EXPECT_EQ(v.scores, g.get_f32_array("tokenizer.ggml.scores"));
}

std::string write_header(const std::string& name, std::vector<int32_t> header, size_t floats) {
  const std::string path = test::scratch_dir("llama2c-" + name) + "/m.bin";
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size() * 4));
  out << std::string(floats * 4, '\0');
  return path;
}

std::string error_of(const std::string& path) {
  try {
    read_llama2c(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    return e.what();
  }
  return "no error";
}

TEST(Llama2c, UntiedClassifierAndBadInput) {
  // dim 4, hidden 8, 1 layer, 2 heads (head 2), 1 kv head, vocab -3 (untied), seq 2.
  // floats: emb 12 + layer (4 + 16 + 2*8 + 16 + 4) + 3*32 + norm 4 + freq 2*2 + wcls 12 = 184
  std::string p = write_header("untied", {4, 8, 1, 2, 1, -3, 2}, 184);
  Llama2cCheckpoint ck = read_llama2c(p);
  EXPECT_FALSE(ck.header.shared_classifier);
  EXPECT_EQ(ck.tensors.get("lm_head.weight", "t").shape, (Shape{3, 4}));
  EXPECT_EQ(ck.tensors.get("model.layers.0.self_attn.k_proj.weight", "t").shape, (Shape{2, 4}));
  p = write_header("size", {4, 8, 1, 2, 1, -3, 2}, 183);
  EXPECT_EQ(error_of(p), p + ": file size 760 does not match the llama2.c header (expected 764 bytes)");
  p = write_header("field", {4, 8, 0, 2, 1, 3, 2}, 0);
  EXPECT_EQ(error_of(p), p + ": llama2.c header field n_layers = 0 is out of range");
  p = write_header("heads", {4, 8, 1, 3, 1, 3, 2}, 0);
  EXPECT_EQ(error_of(p), p + ": llama2.c header: dim 4, n_heads 3 and n_kv_heads 1 are inconsistent");
  p = write_header("short", {4, 8}, 0);
  EXPECT_EQ(error_of(p), p + ": llama2.c header at offset 8 runs past the end of the file (size 8)");
}

TEST(Llama2c, BadTokenizer) {
  const std::string path = test::scratch_dir("llama2c-tok") + "/tok.bin";
  {
    std::ofstream out(path, std::ios::binary);
    const int32_t max_len = 3, len = 9;
    const float score = 0;
    out.write(reinterpret_cast<const char*>(&max_len), 4);
    out.write(reinterpret_cast<const char*>(&score), 4);
    out.write(reinterpret_cast<const char*>(&len), 4);
  }
  try {
    read_llama2c_tokenizer(path);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": token 0 has length 9 (max_token_length 3)");
  }
  try {
    read_llama2c_tokenizer(path, 1000000);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": vocabulary size 1000000 is impossible for a file of 12 bytes");
  }
}

}  // namespace
}  // namespace osc
