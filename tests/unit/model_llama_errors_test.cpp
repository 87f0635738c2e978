// Bad input gives one clear error naming the file and the problem: a config that disagrees with a
// tensor's shape, a missing tensor, an unsupported architecture, a prompt longer than the context.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/text_file.h"
#include "formats/safetensors.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace osc {
namespace {

std::string load_error(const std::string& path) {
  try {
    Model::load(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "loading " << path << " did not fail";
  return "";
}

TensorView view_of(DType dtype, Shape shape, const void* data, uint64_t nbytes) {
  TensorView v;
  v.dtype = dtype, v.shape = std::move(shape), v.data = data, v.nbytes = nbytes;
  return v;
}

class LlamaErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratch_dir("model_llama_errors_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    test::run_reference("gen_model.py", "--arch llama --out " + dir_ + " --lengths 9");
  }
  void edit_config(const std::function<void(nlohmann::json&)>& edit) {
    auto config = nlohmann::json::parse(read_text_file(dir_ + "/config.json"));
    edit(config);
    write_text_atomically(dir_ + "/config.json", config.dump(2));
  }
  // Rewrites model.safetensors with `edit` applied to its (name, view) list.
  void edit_tensors(const std::function<void(std::vector<std::pair<std::string, TensorView>>&)>& edit) {
    const std::string file = dir_ + "/model.safetensors";
    {
      const SafetensorsContents all = read_safetensors(file);
      std::vector<std::pair<std::string, TensorView>> tensors(all.tensors.begin(), all.tensors.end());
      edit(tensors);
      write_safetensors(file + ".new", tensors);
    }
    std::rename((file + ".new").c_str(), file.c_str());
  }
  std::string dir_;
};

TEST_F(LlamaErrors, ConfigDisagreesWithTensorShape) {
  edit_config([](nlohmann::json& c) { c["intermediate_size"] = 128; });
  const std::string msg = load_error(dir_);
  EXPECT_NE(msg.find(dir_), std::string::npos) << msg;
  EXPECT_NE(msg.find("weight blocks.0.mlp.gate has shape [160, 64] but the config implies [128, 64]"), std::string::npos) << msg;
}

TEST_F(LlamaErrors, MissingTensor) {
  const std::string file = dir_ + "/model.safetensors";
  std::vector<std::pair<std::string, TensorView>> kept;
  {
    const SafetensorsContents all = read_safetensors(file);
    for (const auto& [name, view] : all.tensors)
      if (name != "model.layers.1.mlp.up_proj.weight") kept.emplace_back(name, view);
    write_safetensors(file + ".new", kept);
  }
  std::rename((file + ".new").c_str(), file.c_str());
  const std::string msg = load_error(dir_);
  EXPECT_NE(msg.find("tensor 'model.layers.1.mlp.up_proj.weight' (blocks.1.mlp.up) not found"), std::string::npos) << msg;
}

// Issue 13: a 2-layer checkpoint whose config says 1 layer ran on 1 layer with exit 0.
TEST_F(LlamaErrors, ConfigWithFewerLayersThanTheCheckpoint) {
  edit_config([](nlohmann::json& c) { c["num_hidden_layers"] = 1; });
  const std::string msg = load_error(dir_);
  EXPECT_NE(msg.find("tensor(s) the config does not account for: 'model.layers.1."), std::string::npos) << msg;
}

// GPT-2's layers are bound by its own loop after the table's: a config with absurdly many layers must be
// refused at once (it used to spin through 10^12 empty table passes).
TEST(ModelErrors, ConfigWithFarMoreLayersThanTheCheckpointHasTensors) {
  const std::string dir = test::scratch_dir("model_errors_far_more_layers");
  test::run_reference("gen_model.py", "--arch gpt2 --out " + dir + " --lengths 9");
  auto config = nlohmann::json::parse(read_text_file(dir + "/config.json"));
  config["n_layer"] = 1000000000000LL;
  write_text_atomically(dir + "/config.json", config.dump(2));
  const std::string msg = load_error(dir);
  EXPECT_NE(msg.find("the config says 1000000000000 layers but the checkpoint holds only"), std::string::npos) << msg;
}

TEST_F(LlamaErrors, UnknownExtraTensor) {
  std::vector<float> values(64, 0.5f);
  edit_tensors([&](auto& tensors) {
    tensors.emplace_back("model.layers.0.self_attn.q_norm.weight", view_of(DType::F32, {64}, values.data(), 256));
  });
  const std::string msg = load_error(dir_);
  EXPECT_NE(msg.find("1 tensor(s) the config does not account for: 'model.layers.0.self_attn.q_norm.weight'"),
            std::string::npos)
      << msg;
}

TEST_F(LlamaErrors, KnownBuffersAndTiedCopiesAreAccepted) {
  std::vector<float> inv_freq(8, 0.25f);
  edit_tensors([&](auto& tensors) {
    tensors.emplace_back("model.layers.0.self_attn.rotary_emb.inv_freq", view_of(DType::F32, {8}, inv_freq.data(), 32));
    const TensorView* norm = nullptr;
    for (const auto& [name, view] : tensors)
      if (name == "model.norm.weight") norm = &view;
    ASSERT_NE(norm, nullptr);
    tensors.emplace_back("model.norm_copy.weight", *norm);  // byte-identical to a tensor that is read
  });
  EXPECT_NO_THROW(Model::load(dir_));
}

// Issue 13: integer-typed tensors were converted and used as weights.
TEST_F(LlamaErrors, IntegerWeightIsRefused) {
  std::vector<int32_t> ints(64, 1);
  edit_tensors([&](auto& tensors) {
    for (auto& [name, view] : tensors)
      if (name == "model.layers.0.input_layernorm.weight") view = view_of(DType::I32, {64}, ints.data(), 256);
  });
  const std::string msg = load_error(dir_);
  EXPECT_NE(msg.find("tensor 'model.layers.0.input_layernorm.weight' has integer dtype I32 where a floating-point "
                     "weight is expected"),
            std::string::npos)
      << msg;
}

TEST_F(LlamaErrors, UnsupportedArchitectureNamesTheSupportedOnes) {
  edit_config([](nlohmann::json& c) {
    c["model_type"] = "rwkv";
    c["architectures"] = {"RwkvForCausalLM"};
  });
  const std::string msg = load_error(dir_);
  EXPECT_NE(msg.find("rwkv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("llama"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mistral"), std::string::npos) << msg;
}

TEST(ModelErrors, RegistryNamesTheSupportedArchitectures) {
  ModelConfig c;
  c.architecture = "rwkv";
  try {
    Model::from_weights(c, WeightStore{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported architecture 'rwkv' (supported: llama, mistral, mixtral, qwen2"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelErrors, PromptLongerThanTheContext) {
  const std::string gguf = test::shared_path("testdata/stories260K/stories260K.gguf");  // context 128
  OSC_REQUIRE_SHARED(gguf);
  std::string prompt;
  for (int i = 0; i < 60; ++i) prompt += "the cat sat. ";
  std::string out;
  const int rc = test::run_command(test::cli_path() + " generate " + gguf + " --prompt '" + prompt + "' -n 4", &out);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("tokens but the model's context is 128 tokens"), std::string::npos) << out;
  const Model m = Model::load(gguf);
  try {
    m.forward(std::vector<int32_t>(129, 5));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the input has 129 tokens but the model's context is 128 tokens"), std::string::npos);
  }
}

TEST(ModelErrors, TokenOutsideVocabulary) {
  const std::string gguf = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(gguf);
  const Model m = Model::load(gguf);
  EXPECT_THROW(m.forward({1, 512}), Error);
}

}  // namespace
}  // namespace osc
