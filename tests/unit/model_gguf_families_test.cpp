// GGUF files of every family the Hugging Face path supports, written from synth checkpoints by the
// test converter (support/hf_to_gguf.h: llama.cpp's names, transforms and metadata, independent of
// src/model/arch/), load and give the hooks of their checkpoint:
//   - F32: every hook equals the engine on the HF folder within 1e-5 relative, and the independent
//     PyTorch reference (run_checkpoint.py on the HF folder) within kReferenceTolerance;
//   - F16 / BF16 / Q8_0 / Q4_0 / Q4_K / Q5_K / Q6_K: every hook equals the PyTorch reference run on the HF checkpoint
//     whose weights were replaced by the GGUF's stored values, decoded in numpy
//     (gguf_dequant_checkpoint.py), within kReferenceTolerance.
// Mixtral's older one-tensor-per-expert GGUF layout loads too. OPT has no llama.cpp architecture
// and is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/arch/gguf_config.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "model_reference_check.h"
#include "support/hf_to_gguf.h"
#include "synth/synth.h"

namespace osc {
namespace {

// Every synth example but OPT (llama.cpp has no OPT architecture).
const std::vector<std::string> kFamilies = {"llama", "mistral", "mixtral", "qwen2", "gpt2", "falcon",
                                            "falcon40b", "mpt", "phi2", "gpt_neox"};

void synth_into(const std::string& dir, const std::string& arch, const std::string& preset) {
  SynthOptions o;
  o.arch = arch;
  o.preset = preset;
  o.dtype = "f32";
  o.out_dir = dir;
  o.seed = 3;
  o.quiet = true;
  write_synth_model(o);
}

std::string model_args(const std::string& root, const std::string& suffix) {
  std::string args;
  for (const std::string& arch : kFamilies) args += " --model " + root + "/" + arch + suffix;
  return args;
}

// Every hook of `got` within 1e-5 * (|want| + 1) of `want`, the same hook names on both sides.
void expect_same_hooks(const Model& got, const Model& want, const std::vector<int32_t>& ids) {
  HookSet a, b;
  a.capture_all();
  b.capture_all();
  got.forward(ids, a);
  want.forward(ids, b);
  ASSERT_EQ(a.captured().size(), b.captured().size());
  for (const auto& [name, w] : b.captured()) {
    auto it = a.captured().find(name);
    ASSERT_NE(it, a.captured().end()) << "GGUF model has no hook " << name;
    ASSERT_EQ(it->second.shape, w.shape) << name;
    for (int64_t i = 0; i < w.numel(); ++i) {
      if (std::isinf(w.data[i])) continue;
      ASSERT_LE(std::fabs(it->second.data[i] - w.data[i]), 1e-5 * (std::fabs(w.data[i]) + 1.0))
          << name << " [" << i << "]";
    }
  }
}

TEST(GgufFamilies, F32FilesGiveTheHooksOfTheirCheckpoint) {
  const std::string root = test::scratch_dir("gguf-families-f32");
  for (const std::string& arch : kFamilies) {
    synth_into(root + "/" + arch, arch, "tiny");
    test::convert_hf_to_gguf(root + "/" + arch, root + "/" + arch + ".gguf", {});
  }
  test::run_reference("run_checkpoint.py", "--lengths 9" + model_args(root, ""));
  if (HasFatalFailure()) return;
  for (const std::string& arch : kFamilies) {
    SCOPED_TRACE(arch);
    const Model hf = Model::load(root + "/" + arch), gguf = Model::load(root + "/" + arch + ".gguf");
    EXPECT_EQ(gguf.config().source_format, "gguf");
    const std::string expected = root + "/" + arch + "/expected_T9.safetensors";
    test::expect_matches_reference_file(gguf, expected);
    expect_same_hooks(gguf, hf, test::reference_input_ids(read_safetensors(expected).tensors.get("input_ids", expected)));
  }
  // Phi-2 as older conversions stored it, q/k/v fused into attn_qkv (Q8_0, so that the rows are
  // split in their quantized form): the same hooks as the separate tensors.
  const std::string phi = root + "/phi2";
  test::convert_hf_to_gguf(phi, phi + "-fused.gguf", {DType::Q8_0, "", true, false});
  test::convert_hf_to_gguf(phi, phi + "-q8.gguf", {DType::Q8_0, "", false, false});
  ASSERT_TRUE(GgufFile::open(phi + "-fused.gguf").tensors().contains("blk.0.attn_qkv.weight"));
  const std::string expected = phi + "/expected_T9.safetensors";
  expect_same_hooks(Model::load(phi + "-fused.gguf"), Model::load(phi + "-q8.gguf"),
                    test::reference_input_ids(read_safetensors(expected).tensors.get("input_ids", expected)));
}

// Mixtral as conversions before llama.cpp stacked the experts stored it, one tensor per expert
// (blk.N.ffn_gate.E.weight, ...): F32 gives the hooks of its checkpoint (PyTorch reference and the
// engine on the HF folder), Q8_0 the same hooks as the stacked Q8_0 file.
TEST(GgufFamilies, MixtralWithOneTensorPerExpertGivesTheHooksOfItsCheckpoint) {
  const std::string root = test::scratch_dir("gguf-mixtral-per-expert"), dir = root + "/mixtral";
  synth_into(dir, "mixtral", "tiny");
  test::convert_hf_to_gguf(dir, dir + "-per-expert.gguf", {DType::F32, "", false, true});
  const GgufFile file = GgufFile::open(dir + "-per-expert.gguf");
  ASSERT_TRUE(file.tensors().contains("blk.0.ffn_gate.1.weight"));
  ASSERT_FALSE(file.tensors().contains("blk.0.ffn_gate_exps.weight"));
  test::run_reference("run_checkpoint.py", "--lengths 9 --model " + dir);
  if (HasFatalFailure()) return;
  const std::string expected = dir + "/expected_T9.safetensors";
  const std::vector<int32_t> ids =
      test::reference_input_ids(read_safetensors(expected).tensors.get("input_ids", expected));
  const Model per_expert = Model::load(dir + "-per-expert.gguf");
  test::expect_matches_reference_file(per_expert, expected);
  expect_same_hooks(per_expert, Model::load(dir), ids);
  test::convert_hf_to_gguf(dir, dir + "-per-expert-q8.gguf", {DType::Q8_0, "", false, true});
  test::convert_hf_to_gguf(dir, dir + "-stacked-q8.gguf", {DType::Q8_0, "", false, false});
  expect_same_hooks(Model::load(dir + "-per-expert-q8.gguf"), Model::load(dir + "-stacked-q8.gguf"), ids);
}

// Counts the tensors of each stored type: the conversion must have quantized something.
int64_t tensors_of_type(const std::string& gguf_path, DType type) {
  const GgufFile file = GgufFile::open(gguf_path);
  int64_t n = 0;
  for (const auto& [name, view] : file.tensors()) n += view.dtype == type;
  return n;
}

class GgufQuantized : public ::testing::TestWithParam<DType> {};

TEST_P(GgufQuantized, FilesGiveTheHooksOfTheirDecodedWeights) {
  const DType type = GetParam();
  const std::string root = test::scratch_dir("gguf-families-" + std::string(dtype_name(type)));
  std::string dequant_args;
  for (const std::string& arch : kFamilies) {
    const std::string dir = root + "/" + arch;
    // K-quant rows need whole 256-value blocks: d_model 256 ("small"); tiny's d_model 64 otherwise
    // (its gated d_ff 176 is no whole number of 32-blocks either: those rows stay F32, as
    // llama-quantize leaves rows it cannot quantize).
    synth_into(dir, arch, dtype_block_elements(type) == 256 ? "small" : "tiny");
    test::convert_hf_to_gguf(dir, dir + ".gguf", {type, dir + "-sidecar"});
    EXPECT_GT(tensors_of_type(dir + ".gguf", type), 0) << arch;
    dequant_args += " " + dir + " " + dir + "-sidecar " + dir + "-decoded";
  }
  test::run_reference("gguf_dequant_checkpoint.py", dequant_args);
  test::run_reference("run_checkpoint.py", "--lengths 9" + model_args(root, "-decoded"));
  if (HasFatalFailure()) return;
  for (const std::string& arch : kFamilies) {
    SCOPED_TRACE(arch);
    const Model gguf = Model::load(root + "/" + arch + ".gguf");
    test::expect_matches_reference_file(gguf, root + "/" + arch + "-decoded/expected_T9.safetensors");
  }
}

INSTANTIATE_TEST_SUITE_P(Types, GgufQuantized,
                         ::testing::Values(DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_K, DType::Q5_K,
                                           DType::Q6_K),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

// convert_hf_to_gguf.py writes max_alibi_bias 0 for an MPT without ALiBi; its positions are then
// the learned position_embd if the file has one.
TEST(GgufFamilies, MptWithoutAlibiUsesLearnedPositions) {
  const std::string dir = test::scratch_dir("gguf-mpt-positions");
  std::vector<float> zeros(64 * 16, 0.0f);
  for (double max_bias : {0.0, 8.0}) {
    GgufWriter w;
    w.set_string("general.architecture", "mpt");
    for (const char* key : {"mpt.block_count", "mpt.attention.head_count"}) w.set_u32(key, 1);
    w.set_u32("mpt.embedding_length", 16);
    w.set_u32("mpt.feed_forward_length", 64);
    w.set_u32("mpt.context_length", 64);
    w.set_u32("mpt.vocab_size", 64);
    w.set_f32("mpt.attention.layer_norm_epsilon", 1e-5f);
    w.set_f32("mpt.attention.max_alibi_bias", static_cast<float>(max_bias));
    w.add_tensor("token_embd.weight", TensorView{DType::F32, {64, 16}, zeros.data(), zeros.size() * 4, nullptr});
    w.add_tensor("position_embd.weight", TensorView{DType::F32, {64, 16}, zeros.data(), zeros.size() * 4, nullptr});
    w.write(dir + "/mpt.gguf");
    const ModelConfig c = config_from_gguf(GgufFile::open(dir + "/mpt.gguf"));
    EXPECT_EQ(c.positional, max_bias > 0 ? Positional::ALiBi : Positional::Learned) << max_bias;
    EXPECT_EQ(c.alibi_bias_max.has_value(), max_bias > 0);
  }
}

TEST(GgufFamilies, OptHasNoLlamaCppArchitectureAndIsRefused) {
  const std::string dir = test::scratch_dir("gguf-opt");
  synth_into(dir + "/opt", "opt", "tiny");
  EXPECT_THROW(test::convert_hf_to_gguf(dir + "/opt", dir + "/opt.gguf", {}), std::runtime_error);
  GgufWriter w;
  w.set_string("general.architecture", "opt");
  w.write(dir + "/opt.gguf");
  try {
    Model::load(dir + "/opt.gguf");
    FAIL() << "an OPT GGUF loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("unsupported architecture 'opt'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("llama.cpp has no OPT architecture"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace osc
