// safetensors reader/writer: the shared HF stories260K file (cross-checked against the GGUF of
// the same model), hand-assembled headers for each validation rule, sharded indexes, round trips.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/safetensors.h"
#include "support/shared_data.h"

namespace osc {
namespace {

// A safetensors file assembled by hand: u64 header length, header text, data bytes.
std::string write_raw(const std::string& dir, const std::string& name, const std::string& header, size_t data_bytes) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  const uint64_t n = header.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << header << std::string(data_bytes, '\0');
  return path;
}

std::string error_of(const std::string& path) {
  try {
    read_safetensors(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    return e.what();
  }
  return "no error";
}

TEST(Safetensors, ReadsSharedHfModelAndMatchesGguf) {
  const std::string st = test::shared_path("testdata/stories260K/hf/model.safetensors");
  const std::string gg = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(st);
  SafetensorsContents c = read_safetensors(st);
  EXPECT_EQ(c.tensors.size(), 47u);
  const TensorView& emb = c.tensors.get("model.embed_tokens.weight", "t");
  EXPECT_EQ(emb.shape, (Shape{512, 64}));
  EXPECT_EQ(emb.dtype, DType::F32);
  // Same weights as the GGUF (not permuted, unlike q/k): the embedding and a down projection.
  GgufFile g = GgufFile::open(gg);
  EXPECT_EQ(emb.to_f32(), g.tensors().get("token_embd.weight", "t").to_f32());
  EXPECT_EQ(c.tensors.get("model.layers.2.mlp.down_proj.weight", "t").to_f32(),
            g.tensors().get("blk.2.ffn_down.weight", "t").to_f32());
}

TEST(Safetensors, WriteThenReadIsBitExact) {
  const std::vector<float> f = {1.0f, -2.5f, 3.25f, -0.0f, 7.0f, 1e-38f};
  const std::vector<uint16_t> h = {0x3C00, 0xC000, 0x7BFF};
  const std::vector<int64_t> ids = {-1, 1ll << 40};
  const std::vector<int32_t> i32 = {7};
  auto view = [](DType t, Shape s, const void* p, size_t n) {
    TensorView v;
    v.dtype = t;
    v.shape = std::move(s);
    v.data = p;
    v.nbytes = n;
    return v;
  };
  std::vector<std::pair<std::string, TensorView>> in = {
      {"z.weight", view(DType::F32, {2, 3}, f.data(), 24)},
      {"a.f16", view(DType::F16, {3}, h.data(), 6)},
      {"m.bf16", view(DType::BF16, {1, 3}, h.data(), 6)},
      {"ids", view(DType::I64, {2}, ids.data(), 16)},
      {"scalar", view(DType::I32, {}, i32.data(), 4)},
      {"\xc3\xa9t\xc3\xa9", view(DType::F32, {0, 4}, nullptr, 0)},
  };
  const std::string path = test::scratch_dir("st-roundtrip") + "/m.safetensors";
  write_safetensors(path, in, {{"format", "pt"}});
  SafetensorsContents c = read_safetensors(path);
  EXPECT_EQ(c.metadata.at("format"), "pt");
  ASSERT_EQ(c.tensors.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& [name, view_in] = in[i];
    EXPECT_EQ(c.tensors.entries()[i].first, name);  // file order = the order written
    const TensorView& out = c.tensors.get(name, "t");
    EXPECT_EQ(out.dtype, view_in.dtype) << name;
    EXPECT_EQ(out.shape, view_in.shape) << name;
    ASSERT_EQ(out.nbytes, view_in.nbytes) << name;
    if (out.nbytes) {
      EXPECT_EQ(std::memcmp(out.data, view_in.data, out.nbytes), 0) << name;
    }
  }
  // The header is padded so that the data section starts 8-byte aligned.
  uint64_t header_len;
  std::ifstream(path, std::ios::binary).read(reinterpret_cast<char*>(&header_len), 8);
  EXPECT_EQ(header_len % 8, 0u);
}

TEST(Safetensors, HeaderValidation) {
  const std::string dir = test::scratch_dir("st-bad");
  std::string p = dir + "/tiny";
  std::ofstream(p) << "abc";
  EXPECT_EQ(error_of(p), p + ": file of 3 bytes is too small for a safetensors header");
  p = dir + "/huge";
  {
    std::ofstream out(p, std::ios::binary);
    const uint64_t n = 9000000000000000000ull;
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << "{}";
  }
  EXPECT_EQ(error_of(p), p + ": header length 9000000000000000000 exceeds file size 10");
  p = write_raw(dir, "notjson", "{\"a\": ", 0);
  EXPECT_EQ(error_of(p).rfind(p + ": header is not valid JSON: ", 0), 0u) << error_of(p);
  p = write_raw(dir, "utf8", "{\"\xff\": {}}", 0);
  EXPECT_NE(error_of(p).find("header is not valid JSON"), std::string::npos) << error_of(p);
  p = write_raw(dir, "dtype", R"({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}})", 1);
  EXPECT_EQ(error_of(p), p + ": tensor 'w': unsupported dtype \"F8_E4M3\"");
  p = write_raw(dir, "quantdtype", R"({"w": {"dtype": "Q4_K", "shape": [256], "data_offsets": [0, 144]}})", 144);
  EXPECT_EQ(error_of(p), p + ": tensor 'w': unsupported dtype \"Q4_K\"");
  p = write_raw(dir, "size", R"({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}})", 20);
  EXPECT_EQ(error_of(p), p + ": tensor 'w': shape [2,3] x F32 needs 24 bytes but data_offsets [0,20] give 20");
  p = write_raw(dir, "past", R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4);
  EXPECT_EQ(error_of(p), p + ": tensor 'w' data_offsets end 8 lies past the data section of 4 bytes");
  p = write_raw(dir, "overlap",
                R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                8);
  EXPECT_EQ(error_of(p), p + ": tensors 'a' and 'b' overlap");
  p = write_raw(dir, "gap", R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 8);
  EXPECT_EQ(error_of(p), p + ": tensor 'a' starts at data offset 4, leaving a gap after 0");
  p = write_raw(dir, "trailing", R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 8);
  EXPECT_EQ(error_of(p), p + ": data section has 4 bytes after the last tensor");
  p = write_raw(dir, "shape", R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4);
  EXPECT_EQ(error_of(p), p + ": tensor 'a': shape [-1] has an entry that is not a non-negative integer");
  p = write_raw(dir, "overflow",
                R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}})", 4);
  EXPECT_EQ(error_of(p), p + ": tensor 'a': shape [4294967296,4294967296] has too many elements");
  p = write_raw(dir, "missing", R"({"a": {"dtype": "F32", "shape": [1]}})", 4);
  EXPECT_EQ(error_of(p), p + ": tensor 'a': missing \"data_offsets\"");
  p = write_raw(dir, "array", "[1, 2]", 0);
  EXPECT_EQ(error_of(p), p + ": header does not start with a JSON object");
  p = write_raw(dir, "meta", R"({"__metadata__": {"k": 1}})", 0);
  EXPECT_EQ(error_of(p), p + ": __metadata__ value of 'k' is not a string");
}

TEST(Safetensors, ShardedIndex) {
  const std::string dir = test::scratch_dir("st-sharded");
  const std::vector<float> a = {1, 2}, b = {3};
  TensorView va;
  va.shape = {2};
  va.data = a.data();
  va.nbytes = 8;
  TensorView vb = va;
  vb.shape = {1};
  vb.data = b.data();
  vb.nbytes = 4;
  write_safetensors(dir + "/model-00001-of-00002.safetensors", {{"a", va}});
  write_safetensors(dir + "/model-00002-of-00002.safetensors", {{"b", vb}});
  std::ofstream(dir + "/model.safetensors.index.json")
      << R"({"metadata": {"total_size": 12}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})";
  SafetensorsContents c = read_safetensors_index(dir + "/model.safetensors.index.json");
  ASSERT_EQ(c.tensors.size(), 2u);
  EXPECT_EQ(c.tensors.get("b", "t").to_f32(), std::vector<float>{3.0f});
  const std::string bad = dir + "/bad.index.json";
  std::ofstream(bad) << R"({"weight_map": {"a": "model-00002-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})";
  try {
    read_safetensors_index(bad);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), bad + ": tensor 'a' is missing from model-00002-of-00002.safetensors");
  }
  const std::string escape = dir + "/escape.index.json";
  std::ofstream(escape) << R"({"weight_map": {"a": "../x.safetensors"}})";
  try {
    read_safetensors_index(escape);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), escape + ": weight_map entry 'a' names '../x.safetensors', not a file in the same folder");
  }
}

TEST(Safetensors, WriterRejectsQuantizedAndDuplicates) {
  const std::vector<uint8_t> q(34, 0);
  TensorView v;
  v.dtype = DType::Q8_0;
  v.shape = {32};
  v.data = q.data();
  v.nbytes = 34;
  const std::string path = test::scratch_dir("st-writer") + "/x.safetensors";
  try {
    write_safetensors(path, {{"q", v}});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": tensor 'q': safetensors cannot store Q8_0");
  }
}

}  // namespace
}  // namespace osc
