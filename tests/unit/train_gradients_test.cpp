// Gradients of the hand-written backward pass, for every attention variant: against central finite
// differences of the model's own loss, and against PyTorch autograd in float64
// (tests/reference/train_ref.py) on the same weights and batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "formats/safetensors.h"
#include "kernels/attention_variant.h"
#include "support/shared_data.h"
#include "train/gemm.h"
#include "train/gpt_model.h"
#include "train/rng.h"

namespace osc::train {
namespace {

constexpr int64_t kBatch = 2, kSeq = 8;

const std::vector<std::string> kVariants = {"softmax",  "fixed_bias", "ctx_bias",        "attn_bias", "ctx_scale",
                                            "sigmoid",  "softmax1",   "clipped_softmax", "gated"};

GptConfig tiny_config(const std::string& variant, bool bias = true) {
  GptConfig c;
  c.vocab_size = 13, c.context = kSeq, c.layers = 2, c.heads = 2, c.dim = 8, c.bias = bias, c.variant = variant;
  return c;
}

// Initialised, then perturbed so that attention is far from uniform and biases are non-zero.
void randomize(GptModel& model, uint64_t seed) {
  model.params().initialize(seed, model.config().layers);
  Rng rng(seed + 1);
  for (float& v : model.params().values) v += static_cast<float>(0.3 * rng.normal());
}

struct Batch {
  std::vector<int32_t> tokens, targets;  // [kBatch, kSeq]
};

Batch random_batch(int64_t vocab, uint64_t seed) {
  Rng rng(seed);
  Batch b;
  for (int64_t i = 0; i < kBatch * kSeq; ++i) {
    b.tokens.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab))));
    b.targets.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab))));
  }
  return b;
}

double loss_of(GptModel& model, const Batch& b) {
  return model.forward(b.tokens.data(), b.targets.data(), kBatch, kSeq, 0.0f);
}

std::vector<float> analytic_grads(GptModel& model, const Batch& b, double* loss) {
  model.params().zero_grads();
  *loss = model.forward(b.tokens.data(), b.targets.data(), kBatch, kSeq, 1.0f);
  model.backward();
  return model.params().grads;
}

class VariantGradients : public ::testing::TestWithParam<std::string> {};

// Float32 central differences with h = 1e-2: the error is O(h^2) truncation plus ~1e-5 rounding,
// so we accept |fd - analytic| <= 3e-2 |analytic| + 3e-4 on the two largest and two random
// coordinates of every tensor.
TEST_P(VariantGradients, MatchFiniteDifferences) {
  configure_threads(1);
  for (bool bias : {true, false}) {
    GptModel model(tiny_config(GetParam(), bias), kBatch);
    randomize(model, 7);
    const Batch batch = random_batch(13, 3);
    double loss = 0.0;
    const std::vector<float> grads = analytic_grads(model, batch, &loss);
    Rng pick(11);
    for (const auto& e : model.params().entries()) {
      std::vector<int64_t> order(static_cast<size_t>(e.numel));
      for (int64_t i = 0; i < e.numel; ++i) order[static_cast<size_t>(i)] = e.offset + i;
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return std::abs(grads[a]) > std::abs(grads[b]); });
      std::vector<int64_t> coords(order.begin(), order.begin() + std::min<int64_t>(2, e.numel));
      for (int k = 0; k < 2; ++k) coords.push_back(e.offset + static_cast<int64_t>(pick.below(static_cast<uint64_t>(e.numel))));
      for (int64_t i : coords) {
        float& w = model.params().values[static_cast<size_t>(i)];
        const float saved = w, h = 1e-2f;
        w = saved + h;
        const double up = loss_of(model, batch);
        w = saved - h;
        const double down = loss_of(model, batch);
        w = saved;
        const double fd = (up - down) / (2.0 * h);
        const double an = grads[static_cast<size_t>(i)];
        EXPECT_NEAR(fd, an, 3e-2 * std::abs(an) + 3e-4)
            << GetParam() << " bias=" << bias << " " << e.spec.name << "[" << i - e.offset << "]";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantGradients, ::testing::ValuesIn(kVariants));

void write_f32(const std::string& path, const std::vector<std::pair<std::string, std::pair<Shape, const float*>>>& ts) {
  std::vector<std::pair<std::string, TensorView>> views;
  for (const auto& [name, t] : ts) {
    TensorView v;
    v.dtype = DType::F32, v.shape = t.first, v.data = t.second;
    v.nbytes = static_cast<uint64_t>(shape_numel(t.first)) * 4;
    views.emplace_back(name, v);
  }
  write_safetensors(path, views);
}

void write_model_weights(const GptModel& model, const std::string& path) {
  std::vector<std::pair<std::string, std::pair<Shape, const float*>>> ts;
  for (const auto& e : model.params().entries())
    ts.push_back({e.spec.name, {e.spec.shape, model.params().values.data() + e.offset}});
  write_f32(path, ts);
}

void write_batch(const std::vector<int32_t>& tokens, const std::vector<int32_t>& targets, int64_t micro,
                 const std::string& path) {
  std::vector<std::pair<std::string, TensorView>> views;
  for (auto [name, data] : {std::pair{"tokens", &tokens}, std::pair{"targets", &targets}}) {
    TensorView v;
    v.dtype = DType::I32, v.shape = {micro, kBatch, kSeq}, v.data = data->data();
    v.nbytes = data->size() * 4;
    views.emplace_back(name, v);
  }
  write_safetensors(path, views);
}

// max |a - b| / max |b| over one tensor.
double relative_error(const float* a, const std::vector<float>& b) {
  double diff = 0.0, scale = 0.0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return scale == 0.0 ? diff : diff / scale;
}

TEST(TrainGradients, MatchPyTorchAutogradForEveryVariant) {
  configure_threads(2);
  const std::string dir = test::scratch_dir("train_gradients_torch");
  nlohmann::json cases = nlohmann::json::array();
  std::vector<std::unique_ptr<GptModel>> models;
  std::vector<std::pair<double, std::vector<float>>> ours;
  const Batch batch = random_batch(13, 5);
  for (const auto& variant : kVariants) {
    for (bool bias : {true, false}) {
      const std::string name = variant + (bias ? "" : "_nobias");
      auto model = std::make_unique<GptModel>(tiny_config(variant, bias), kBatch);
      randomize(*model, 21);
      double loss = 0.0;
      std::vector<float> grads = analytic_grads(*model, batch, &loss);
      std::ofstream(dir + "/" + name + ".json") << gpt_config_to_json(model->config()).dump();
      write_model_weights(*model, dir + "/" + name + ".weights.safetensors");
      write_batch(batch.tokens, batch.targets, 1, dir + "/" + name + ".batch.safetensors");
      cases.push_back({{"config", dir + "/" + name + ".json"},
                       {"weights", dir + "/" + name + ".weights.safetensors"},
                       {"batch", dir + "/" + name + ".batch.safetensors"},
                       {"out", dir + "/" + name + ".grads.safetensors"}});
      ours.emplace_back(loss, std::move(grads));
      models.push_back(std::move(model));
    }
  }
  std::ofstream(dir + "/cases.json") << cases.dump(1);
  ASSERT_NO_FATAL_FAILURE(test::run_reference("train_ref.py", "grads " + dir + "/cases.json"));
  for (size_t c = 0; c < models.size(); ++c) {
    const std::string name = cases[c]["out"].get<std::string>();
    SafetensorsContents ref = read_safetensors(name);
    const double ref_loss = ref.tensors.get("loss", name).to_f32()[0];
    EXPECT_NEAR(ours[c].first, ref_loss, 1e-5 * std::abs(ref_loss)) << name;
    for (const auto& e : models[c]->params().entries()) {
      const std::vector<float> g = ref.tensors.get(e.spec.name, name).to_f32();
      ASSERT_EQ(static_cast<int64_t>(g.size()), e.numel) << e.spec.name;
      EXPECT_LE(relative_error(ours[c].second.data() + e.offset, g), 1e-4) << name << " " << e.spec.name;
    }
  }
}

}  // namespace
}  // namespace osc::train
