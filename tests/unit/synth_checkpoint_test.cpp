// synth: the tensor layouts against shapes written out by hand from the transformers model
// definitions, the files against an independent Python reader (json + numpy, with torch's own
// bf16 rounding), and the round trip of every architecture through Model::load and a forward pass
// against the independent PyTorch reference run on the same files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "formats/checkpoint.h"
#include "model/arch/arch.h"
#include "model_reference_check.h"
#include "synth/synth.h"
#include "synth/synth_presets.h"
#include "synth/synth_random.h"
#include "support/shared_data.h"

namespace osc {
namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SynthPlan synth_into(const std::string& dir, const std::string& arch, const std::string& dtype, uint64_t seed = 0,
                     uint64_t max_shard_bytes = 5'000'000'000, const std::string& preset = "tiny") {
  SynthOptions o;
  o.arch = arch;
  o.preset = preset;
  o.dtype = dtype;
  o.out_dir = dir;
  o.seed = seed;
  o.max_shard_bytes = max_shard_bytes;
  o.quiet = true;
  return write_synth_model(o);
}

std::map<std::string, Shape> shapes_of(const SynthPlan& plan) {
  std::map<std::string, Shape> m;
  for (const auto& t : plan.tensors) m[t.name] = t.shape;
  return m;
}

TEST(SynthRandom, ChunkingDoesNotChangeValues) {
  SynthNormal normal(7, "w");
  std::vector<float> whole(1001), pieces(1001);
  normal.fill(0, 1001, 1.0f, whole.data());
  normal.fill(0, 7, 1.0f, pieces.data());
  normal.fill(7, 500, 1.0f, pieces.data() + 7);
  normal.fill(507, 494, 1.0f, pieces.data() + 507);
  EXPECT_EQ(whole, pieces);
}

TEST(SynthRandom, MomentsOfAStandardNormal) {
  const int64_t n = int64_t{1} << 20;
  std::vector<float> x(static_cast<size_t>(n));
  SynthNormal(1, "moments").fill(0, n, 1.0f, x.data());
  double sum = 0, sum_sq = 0, within_one = 0, max_abs = 0;
  for (float v : x) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
    within_one += std::fabs(v) < 1.0f;
    max_abs = std::max(max_abs, static_cast<double>(std::fabs(v)));
  }
  const double mean = sum / static_cast<double>(n);
  EXPECT_NEAR(mean, 0.0, 0.005);                                    // 5 sigma of 1/sqrt(n)
  EXPECT_NEAR(sum_sq / static_cast<double>(n) - mean * mean, 1.0, 0.01);
  EXPECT_NEAR(within_one / static_cast<double>(n), 0.682689, 0.003);  // P(|Z| < 1)
  EXPECT_LT(max_abs, 6.5);
}

// Shapes from the transformers modeling files for the tiny preset: d_model 64, 4 heads of 16,
// 2 key/value heads where the family groups them, d_ff 176 (gated) or 256, vocab 512, 256 positions.
TEST(SynthLayout, TinyShapesMatchTheHuggingFaceModules) {
  struct Expect {
    std::string arch;
    size_t count;
    std::map<std::string, Shape> shapes;
    std::vector<std::string> absent;
  };
  const std::vector<Expect> expectations = {
      {"llama", 21, {{"model.layers.1.mlp.down_proj.weight", {64, 176}}, {"lm_head.weight", {512, 64}}}, {"model.layers.0.self_attn.q_proj.bias"}},
      {"mistral", 21, {{"model.layers.0.self_attn.k_proj.weight", {32, 64}}, {"model.layers.0.self_attn.q_proj.weight", {64, 64}}}, {}},
      {"qwen2", 27, {{"model.layers.0.self_attn.v_proj.bias", {32}}}, {"model.layers.0.self_attn.o_proj.bias"}},
      {"mixtral", 41, {{"model.layers.0.block_sparse_moe.gate.weight", {4, 64}}, {"model.layers.1.block_sparse_moe.experts.3.w2.weight", {64, 176}}}, {"model.layers.0.mlp.up_proj.weight"}},
      {"gpt2", 28, {{"transformer.h.0.attn.c_attn.weight", {64, 192}}, {"transformer.h.1.mlp.c_fc.weight", {64, 256}}, {"transformer.h.1.mlp.c_proj.weight", {256, 64}}, {"transformer.wpe.weight", {256, 64}}}, {"lm_head.weight"}},
      {"opt", 36, {{"model.decoder.embed_positions.weight", {258, 64}}, {"model.decoder.layers.0.fc1.weight", {256, 64}}, {"model.decoder.layers.1.self_attn.out_proj.bias", {64}}}, {"lm_head.weight"}},
      {"falcon", 15, {{"transformer.h.0.self_attention.query_key_value.weight", {96, 64}}, {"transformer.h.0.input_layernorm.bias", {64}}}, {"transformer.h.0.ln_attn.weight", "lm_head.weight"}},
      {"falcon40b", 19, {{"transformer.h.0.self_attention.query_key_value.weight", {128, 64}}, {"transformer.h.1.ln_mlp.bias", {64}}}, {"transformer.h.0.input_layernorm.weight"}},
      {"mpt", 14, {{"transformer.blocks.0.attn.Wqkv.weight", {192, 64}}, {"transformer.blocks.1.ffn.down_proj.weight", {64, 256}}}, {"transformer.blocks.0.norm_1.bias", "transformer.wpe.weight"}},
      {"phi2", 33, {{"lm_head.bias", {512}}, {"model.layers.0.self_attn.dense.weight", {64, 64}}, {"model.layers.0.mlp.fc1.bias", {256}}}, {"model.layers.0.post_attention_layernorm.weight"}},
      {"gpt_neox", 28, {{"gpt_neox.layers.0.attention.query_key_value.weight", {192, 64}}, {"embed_out.weight", {512, 64}}}, {"gpt_neox.embed_out.weight"}},
  };
  for (const auto& e : expectations) {
    SynthOptions o;
    o.arch = e.arch;
    const auto shapes = shapes_of(plan_synth_model(o));
    EXPECT_EQ(shapes.size(), e.count) << e.arch;
    for (const auto& [name, shape] : e.shapes) {
      ASSERT_TRUE(shapes.count(name)) << e.arch << " lacks " << name;
      EXPECT_EQ(shapes.at(name), shape) << e.arch << " " << name;
    }
    for (const auto& name : e.absent) EXPECT_FALSE(shapes.count(name)) << e.arch << " should not have " << name;
  }
}

TEST(SynthLayout, Phi2RotaryDimsStayEven) {
  for (const char* preset : {"tiny", "small", "1b", "7b"}) {
    SynthOptions o;
    o.arch = "phi2";
    o.preset = preset;
    const ModelConfig c = plan_synth_model(o).config;
    EXPECT_EQ(c.rotary_dims() % 2, 0) << preset;
    EXPECT_LE(c.rotary_fraction, 0.4) << preset;
    EXPECT_EQ(static_cast<double>(c.rotary_dims()), c.rotary_fraction * static_cast<double>(c.d_head)) << preset;
  }
}

// An independent reader: the safetensors layout by hand (8-byte little-endian length, JSON,
// contiguous data), values through numpy, and bf16 rounding through torch.
constexpr const char* kPythonCheck = R"PY(
import json, struct, sys
import numpy as np, torch
def load(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    assert (8 + n) % 8 == 0, 'data not 8-byte aligned'
    header.pop('__metadata__')
    out, end = {}, 0
    for name, t in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
        b, e = t['data_offsets']
        assert b == end, name + ' not contiguous'
        end = e
        dt = {'F32': np.float32, 'BF16': np.uint16}[t['dtype']]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dt).reshape(t['shape'])
    assert 8 + n + end == len(raw), 'trailing bytes'
    return out
f32, bf16 = load(sys.argv[1]), load(sys.argv[2])
assert f32.keys() == bf16.keys()
weights = np.concatenate([v.ravel() for k, v in f32.items() if 'norm' not in k])
assert abs(weights.mean()) < 1e-3 and abs(weights.std() - 0.02) < 5e-4, (weights.mean(), weights.std())
for k, v in f32.items():
    if 'norm' in k: assert (v == 1).all(), k
    rounded = torch.from_numpy(v.copy()).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    assert (rounded == bf16[k]).all(), k + ' bf16 differs from torch rounding'
print('OK', len(f32))
)PY";

TEST(SynthWrite, PythonReadsTheFilesAndTorchAgreesOnBf16) {
  const std::string dir = test::scratch_dir("synth_python");
  synth_into(dir + "/f32", "llama", "f32", 5);
  synth_into(dir + "/bf16", "llama", "bf16", 5);
  const std::string script = dir + "/check.py";
  std::ofstream(script) << kPythonCheck;
  std::string out;
  const int rc = test::run_command(test::python() + " " + script + " " + dir + "/f32/model.safetensors " + dir +
                                       "/bf16/model.safetensors", &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("OK 21"), std::string::npos) << out;
}

TEST(SynthWrite, SameSeedSameBytesOtherSeedOtherBytes) {
  const std::string dir = test::scratch_dir("synth_seed");
  synth_into(dir + "/a", "gpt2", "bf16", 3);
  synth_into(dir + "/b", "gpt2", "bf16", 3);
  synth_into(dir + "/c", "gpt2", "bf16", 4);
  const std::string a = read_bytes(dir + "/a/model.safetensors");
  EXPECT_EQ(a, read_bytes(dir + "/b/model.safetensors"));
  EXPECT_NE(a, read_bytes(dir + "/c/model.safetensors"));
  EXPECT_EQ(a.size(), read_bytes(dir + "/c/model.safetensors").size());
}

TEST(SynthWrite, ShardsHoldTheSameTensorsAsOneFile) {
  const std::string dir = test::scratch_dir("synth_shards");
  synth_into(dir + "/one", "gpt2", "f32");
  const SynthPlan plan = synth_into(dir + "/many", "gpt2", "f32", 0, 200'000);
  const auto index = nlohmann::json::parse(read_bytes(dir + "/many/model.safetensors.index.json"));
  EXPECT_EQ(index["metadata"]["total_size"].get<uint64_t>(), plan.tensor_bytes);
  EXPECT_EQ(index["weight_map"].size(), plan.tensors.size());
  EXPECT_FALSE(std::filesystem::exists(dir + "/many/model.safetensors"));
  // About 600 kB of f32 weights under a 200 kB limit: three shards, named as transformers names them.
  std::set<std::string> files;
  for (const auto& [name, file] : index["weight_map"].items()) files.insert(file.get<std::string>());
  EXPECT_EQ(files, (std::set<std::string>{"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                                          "model-00003-of-00003.safetensors"}));
  const Checkpoint one = Checkpoint::open(dir + "/one"), many = Checkpoint::open(dir + "/many");
  ASSERT_EQ(one.tensors().size(), many.tensors().size());
  for (const auto& [name, view] : one.tensors()) {
    const TensorView& other = many.tensors().get(name, "sharded");
    EXPECT_EQ(view.shape, other.shape) << name;
    EXPECT_EQ(view.to_f32(), other.to_f32()) << name;
  }
}

// The round trip a user makes: synth every architecture (small preset), load it with Model::load
// (the registry, every tensor bound by its table or hook, the audit that refuses unread tensors),
// run a pass, and compare every hook point and the logits with the PyTorch reference run on the same
// files (tests/reference/run_checkpoint.py reads only config.json keys and Hugging Face names).
TEST(SynthRoundTrip, EveryArchitectureLoadsAndMatchesThePyTorchReference) {
  const std::string root = test::scratch_dir("synth_reference");
  std::string models;
  for (const std::string& arch : arch_example_names()) {
    synth_into(root + "/" + arch, arch, "bf16", 11, 5'000'000'000, "small");
    models += " --model " + root + "/" + arch;
  }
  test::run_reference("run_checkpoint.py", "--lengths 9" + models);
  if (HasFatalFailure()) return;
  for (const std::string& arch : arch_example_names()) {
    SCOPED_TRACE(arch);
    const Model model = Model::load(root + "/" + arch);
    test::expect_matches_reference_file(model, root + "/" + arch + "/expected_T9.safetensors");
  }
}

// Every list of architectures comes from the registry: each registered architecture can be written
// (a config.json writer and at least one synth example), and each example is of its architecture.
TEST(SynthRegistry, EveryRegisteredArchitectureHasASynthExample) {
  for (const std::string& name : registered_architectures()) {
    const ArchSpec& spec = require_arch(name, "test");
    EXPECT_NE(spec.write_hf_config, nullptr) << name;
    EXPECT_FALSE(spec.examples.empty()) << name;
  }
  const SizePreset tiny = *find_synth_preset("tiny");
  for (const ArchExample& e : arch_examples()) {
    EXPECT_EQ(e.example->make(tiny).architecture, e.spec->name) << e.example->name;
  }
}

TEST(SynthErrors, UnknownNamesAndTooLittleDiskAreBadInput) {
  for (auto [field, value] : {std::pair{"arch", "bert"}, {"preset", "3b"}, {"dtype", "q4"}}) {
    SynthOptions o;
    if (std::string(field) == "arch") o.arch = value;
    if (std::string(field) == "preset") o.preset = value;
    if (std::string(field) == "dtype") o.dtype = value;
    try {
      plan_synth_model(o);
      ADD_FAILURE() << field << " " << value << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find(value), std::string::npos) << e.what();
    }
  }
  const std::string dir = test::scratch_dir("synth_disk");
  try {
    check_free_disk(dir, uint64_t{1} << 60);
    ADD_FAILURE() << "an exabyte fitted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("not enough free disk space"), std::string::npos) << e.what();
  }
}

TEST(SynthCli, WritesACheckpointAndRejectsBadOptions) {
  const std::string dir = test::scratch_dir("synth_cli");
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path() + " -q synth --arch opt --preset tiny --out " + dir + "/opt", &out), 0) << out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/opt/config.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/opt/model.safetensors"));
  EXPECT_EQ(test::run_command(test::cli_path() + " synth --arch nope --out " + dir + "/x", &out), 2) << out;
  EXPECT_NE(out.find("unknown architecture 'nope'"), std::string::npos) << out;
}

}  // namespace
}  // namespace osc
