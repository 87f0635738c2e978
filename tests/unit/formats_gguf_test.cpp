// GGUF reader and writer: the real stories260K / llama.cpp vocab files (values from their READMEs
// and llama.cpp's converter), hand-assembled files for every validation rule, and round trips.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "support/shared_data.h"

namespace osc {
namespace {

// Assembles GGUF bytes by hand, independently of GgufWriter.
struct Bytes {
  std::string s;
  template <typename T>
  Bytes& put(T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof(T));
    return *this;
  }
  Bytes& str(const std::string& t) {
    put<uint64_t>(t.size());
    s += t;
    return *this;
  }
  Bytes& header(uint64_t tensors, uint64_t kvs, uint32_t version = 3) {
    s += "GGUF";
    return put<uint32_t>(version).put<uint64_t>(tensors).put<uint64_t>(kvs);
  }
  Bytes& pad(size_t alignment) {
    while (s.size() % alignment) s += '\0';
    return *this;
  }
  std::string save(const std::string& name) const {
    const std::string path = test::scratch_dir("gguf-" + name) + "/f.gguf";
    std::ofstream(path, std::ios::binary).write(s.data(), static_cast<std::streamsize>(s.size()));
    return path;
  }
};

std::string error_of(const std::string& path) {
  try {
    GgufFile::open(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    return e.what();
  }
  return "no error";
}

TEST(Gguf, ReadsStories260K) {
  const std::string path = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(path);
  GgufFile g = GgufFile::open(path);
  EXPECT_EQ(g.version(), 3u);
  EXPECT_EQ(g.get_string("general.architecture"), "llama");
  EXPECT_EQ(g.get_u32("llama.block_count"), 5u);
  EXPECT_EQ(g.get_i64("llama.embedding_length"), 64);
  EXPECT_EQ(g.get_u32("llama.context_length"), 128u);  // hard-coded by llama.cpp's converter
  EXPECT_FLOAT_EQ(g.get_f32("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  EXPECT_EQ(g.string_array_view("tokenizer.ggml.tokens").size(), 512u);
  EXPECT_EQ(g.get_string_array("tokenizer.ggml.tokens")[1], "<s>");
  EXPECT_EQ(g.get_i32_array("tokenizer.ggml.token_type")[0], 2);  // <unk> is UNKNOWN (2)
  EXPECT_EQ(g.get_f32_array("tokenizer.ggml.scores").size(), 512u);
  const TensorView& emb = g.tensors().get("token_embd.weight", "test");
  EXPECT_EQ(emb.shape, (Shape{512, 64}));  // GGUF ne = [64, 512], reversed
  EXPECT_EQ(g.tensors().get("blk.0.ffn_down.weight", "test").shape, (Shape{64, 172}));
  EXPECT_EQ(g.tensors().size(), 48u);
}

TEST(Gguf, ReadsVersion1AndAgreesWithVersion3) {
  const std::string v1 = test::shared_path("testdata/stories260K/tinyllamas-stories-260k-f32.gguf");
  const std::string v3 = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(v1);
  GgufFile a = GgufFile::open(v1), b = GgufFile::open(v3);
  EXPECT_EQ(a.version(), 1u);
  EXPECT_EQ(a.get_string("llama.tensor_data_layout"), "Meta AI original pth");
  EXPECT_EQ(a.get_u32("llama.context_length"), 512u);
  // The README: tensors and vocabulary are bit-identical between the two files.
  EXPECT_EQ(a.string_array_view("tokenizer.ggml.tokens"), b.string_array_view("tokenizer.ggml.tokens"));
  for (const auto& [name, view] : a.tensors()) {
    const TensorView& other = b.tensors().get(name, "v3");
    ASSERT_EQ(view.shape, other.shape) << name;
    EXPECT_EQ(std::memcmp(view.data, other.data, view.nbytes), 0) << name;
  }
}

TEST(Gguf, EveryLlamaCppVocabOpens) {
  const std::string dir = test::shared_path("testdata/tokenizer");
  OSC_REQUIRE_SHARED(dir);
  int opened = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".gguf") continue;
    GgufFile g = GgufFile::open(entry.path().string());
    EXPECT_FALSE(g.metadata().empty()) << entry.path();
    EXPECT_GT(g.string_array_view("tokenizer.ggml.tokens").size(), 1000u) << entry.path();
    EXPECT_FALSE(g.get_string("tokenizer.ggml.model").empty());
    for (const auto& [key, value] : g.metadata()) EXPECT_FALSE(value.to_display().empty()) << key;
    ++opened;
  }
  EXPECT_EQ(opened, 12);
}

TEST(Gguf, TypedGettersConvertAndReject) {
  Bytes b;
  b.header(0, 6);
  b.str("u8").put<uint32_t>(0).put<uint8_t>(200);
  b.str("neg").put<uint32_t>(5).put<int32_t>(-3);
  b.str("big").put<uint32_t>(10).put<uint64_t>(1ull << 40);
  b.str("f64").put<uint32_t>(12).put<double>(0.25);
  b.str("flag").put<uint32_t>(7).put<uint8_t>(1);
  b.str("nested").put<uint32_t>(9).put<uint32_t>(9).put<uint64_t>(2);
  b.put<uint32_t>(4).put<uint64_t>(1).put<uint32_t>(7);            // [[7u]]
  b.put<uint32_t>(8).put<uint64_t>(1).str("x");                    // [["x"]]
  GgufFile g = GgufFile::open(b.save("getters"));
  EXPECT_EQ(g.get_u32("u8"), 200u);
  EXPECT_EQ(g.get_i64("neg"), -3);
  EXPECT_EQ(g.get_f32("neg"), -3.0f);
  EXPECT_EQ(g.get_u64("big"), 1ull << 40);
  EXPECT_EQ(g.get_f64("f64"), 0.25);
  EXPECT_TRUE(g.get_bool("flag"));
  EXPECT_EQ(g.get_u32("missing", 9u), 9u);
  EXPECT_EQ(g.get("nested").items.size(), 2u);
  EXPECT_EQ(g.get("nested").to_display(), "array<ARRAY, 2>[array<UINT32, 1>[7], array<STRING, 1>[\"x\"]]");
  const std::string p = g.path();
  auto message = [&](auto fn) {
    try {
      fn();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([&] { g.get_u32("neg"); }), p + ": metadata 'neg' value -3 does not fit UINT64");
  EXPECT_EQ(message([&] { g.get_u32("big"); }), p + ": metadata 'big' value 1099511627776 does not fit UINT32");
  EXPECT_EQ(message([&] { g.get_string("u8"); }), p + ": metadata 'u8' is UINT8, expected STRING");
  EXPECT_EQ(message([&] { g.get_i64("missing"); }), p + ": metadata key 'missing' is missing");
  EXPECT_EQ(message([&] { g.string_array_view("nested"); }), p + ": metadata 'nested' is ARRAY of ARRAY, expected ARRAY of STRING");
}

TEST(Gguf, WriteThenReadIsBitExact) {
  const std::vector<float> w = {1.5f, -2.25f, 3.0f, 0.0f, -0.0f, 1e-30f};
  std::vector<uint8_t> q8(34, 0);
  q8[0] = 0x00, q8[1] = 0x3C, q8[2] = 0x7F;  // d = 1, first value 127
  TensorView a;
  a.shape = {2, 3};
  a.data = w.data();
  a.nbytes = w.size() * 4;
  TensorView b;
  b.dtype = DType::Q8_0;
  b.shape = {32};
  b.data = q8.data();
  b.nbytes = q8.size();
  GgufWriter writer;
  writer.set_string("general.architecture", "llama");
  writer.set_u32("general.alignment", 64);
  writer.set_i32("x.neg", -5);
  writer.set_f32("x.eps", 1e-5f);
  writer.set_bool("x.flag", false);
  writer.set_string_array("tokenizer.ggml.tokens", {"a", "", "\xe2\x96\x81hi"});
  writer.set_f32_array("tokenizer.ggml.scores", {0.5f, -1.0f, 2.0f});
  writer.set_i32_array("x.ints", {1, -2});
  writer.add_tensor("a", a);
  writer.add_tensor("b", b);
  const std::string path = test::scratch_dir("gguf-roundtrip") + "/out.gguf";
  writer.write(path);
  GgufFile g = GgufFile::open(path);
  EXPECT_EQ(g.alignment(), 64u);
  EXPECT_EQ(g.get_i64("x.neg"), -5);
  EXPECT_EQ(g.get_f32("x.eps"), 1e-5f);
  EXPECT_FALSE(g.get_bool("x.flag"));
  EXPECT_EQ(g.get_string_array("tokenizer.ggml.tokens"), (std::vector<std::string>{"a", "", "\xe2\x96\x81hi"}));
  EXPECT_EQ(g.get_f32_array("tokenizer.ggml.scores"), (std::vector<float>{0.5f, -1.0f, 2.0f}));
  EXPECT_EQ(g.get_i32_array("x.ints"), (std::vector<int32_t>{1, -2}));
  const TensorView& ra = g.tensors().get("a", "t");
  EXPECT_EQ(ra.shape, a.shape);
  EXPECT_EQ(std::memcmp(ra.data, w.data(), a.nbytes), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(ra.data) % 64, reinterpret_cast<uintptr_t>(g.mapping()->data()) % 64);
  const TensorView& rb = g.tensors().get("b", "t");
  EXPECT_EQ(rb.dtype, DType::Q8_0);
  EXPECT_EQ(rb.to_f32()[0], 127.0f);
}

TEST(Gguf, RewritingStoriesReproducesTheFileByteForByte) {
  const std::string src = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(src);
  GgufFile g = GgufFile::open(src);
  GgufWriter writer;
  for (const auto& [key, value] : g.metadata()) writer.set_value(key, value);
  for (const auto& [name, view] : g.tensors()) writer.add_tensor(name, view);
  const std::string out = test::scratch_dir("gguf-rewrite") + "/copy.gguf";
  writer.write(out);
  auto original = MappedFile::open(src), copy = MappedFile::open(out);
  ASSERT_EQ(copy->size(), original->size());
  EXPECT_EQ(std::memcmp(copy->data(), original->data(), copy->size()), 0);
}

TEST(Gguf, BadMagicAndVersion) {
  Bytes b;
  b.s = "GGML";
  b.put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0);
  std::string p = b.save("magic");
  EXPECT_EQ(error_of(p), p + ": not a GGUF file (bad magic)");
  Bytes v;
  v.header(0, 0, 4);
  p = v.save("version");
  EXPECT_EQ(error_of(p), p + ": unsupported GGUF version 4 (supported: 1, 2, 3)");
  Bytes t;
  t.s = "GGUF";
  p = t.save("truncated");
  EXPECT_EQ(error_of(p), p + ": version at offset 4 runs past the end of the file (size 4)");
}

TEST(Gguf, AbsurdCountsFailBeforeAllocating) {
  Bytes b;
  b.header(0, 1ull << 60);
  std::string p = b.save("kvcount");
  EXPECT_EQ(error_of(p), p + ": metadata count 1152921504606846976 at offset 24 is impossible for a file of 24 bytes");
  Bytes a;
  a.header(0, 1).str("arr").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(1ull << 62);
  p = a.save("arraycount");
  EXPECT_EQ(error_of(p), p + ": array 'arr' length 4611686018427387904 at offset 51 is impossible for a file of 51 bytes");
  Bytes t;
  t.header(1ull << 40, 0);
  p = t.save("tensorcount");
  EXPECT_EQ(error_of(p), p + ": tensor count 1099511627776 at offset 24 is impossible for a file of 24 bytes");
}

TEST(Gguf, StringPastEndAndUnknownTypes) {
  Bytes b;
  b.header(0, 1).str("k").put<uint32_t>(8).put<uint64_t>(1000).s += "abc";
  std::string p = b.save("string");
  EXPECT_EQ(error_of(p), p + ": string value of 'k' of 1000 bytes at offset 45 runs past the end of the file (size 48)");
  Bytes u;
  u.header(0, 1).str("k").put<uint32_t>(13);
  p = u.save("valuetype");
  EXPECT_EQ(error_of(p), p + ": metadata 'k' has unknown value type 13");
  Bytes d;
  d.header(0, 2).str("k").put<uint32_t>(4).put<uint32_t>(1).str("k").put<uint32_t>(4).put<uint32_t>(2);
  p = d.save("duplicate");
  EXPECT_EQ(error_of(p), p + ": duplicate metadata key 'k'");
}

// One tensor "t" of type `ggml_type`, dims ne, at `offset`, followed by `data_bytes` of data.
std::string one_tensor(const std::string& name, uint32_t ggml_type, std::vector<uint64_t> ne, uint64_t offset,
                       size_t data_bytes) {
  Bytes b;
  b.header(1, 0).str("t").put<uint32_t>(static_cast<uint32_t>(ne.size()));
  for (uint64_t d : ne) b.put<uint64_t>(d);
  b.put<uint32_t>(ggml_type).put<uint64_t>(offset);
  b.pad(32);
  b.s.append(data_bytes, '\0');
  return b.save(name);
}

TEST(Gguf, TensorValidation) {
  std::string p = one_tensor("unknown-type", 99, {4}, 0, 16);
  EXPECT_EQ(error_of(p), p + ": tensor 't' has unknown ggml type 99");
  p = one_tensor("unsupported-type", 16, {256}, 0, 1024);
  EXPECT_EQ(error_of(p), p + ": tensor 't' has unsupported ggml type IQ2_XXS (16)");
  p = one_tensor("misaligned", 0, {4}, 8, 64);
  EXPECT_EQ(error_of(p), p + ": tensor 't' data offset 8 is not a multiple of the alignment 32");
  p = one_tensor("outside", 0, {4, 4}, 0, 32);
  EXPECT_EQ(error_of(p), p + ": tensor 't' data [0, +64) lies outside the data section of 32 bytes");
  p = one_tensor("blocks", 8, {33}, 0, 64);
  EXPECT_EQ(error_of(p), p + ": tensor 't' row length 33 is not a multiple of the Q8_0 block size 32");
  p = one_tensor("dims", 0, {1, 1, 1, 1, 1}, 0, 4);
  EXPECT_EQ(error_of(p), p + ": tensor 't' has 5 dimensions (at most 4)");
}

TEST(Gguf, OverlappingTensorsAreRejected) {
  Bytes b;
  b.header(2, 0);
  b.str("a").put<uint32_t>(1).put<uint64_t>(16).put<uint32_t>(0).put<uint64_t>(0);
  b.str("b").put<uint32_t>(1).put<uint64_t>(8).put<uint32_t>(0).put<uint64_t>(32);
  b.pad(32);
  b.s.append(96, '\0');
  const std::string p = b.save("overlap");
  EXPECT_EQ(error_of(p), p + ": tensors 'a' and 'b' overlap");
}

TEST(Gguf, BadAlignment) {
  Bytes b;
  b.header(0, 1).str("general.alignment").put<uint32_t>(4).put<uint32_t>(24);
  const std::string p = b.save("alignment");
  EXPECT_EQ(error_of(p), p + ": general.alignment 24 is not a power of two");
}

}  // namespace
}  // namespace osc
