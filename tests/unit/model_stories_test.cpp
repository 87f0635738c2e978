// stories260K (karpathy's TinyStories Llama, /work/shared/testdata/stories260K) in its three forms:
// HF safetensors, GGUF and llama2.c .bin must give the same logits (the GGUF / llama2.c q and k
// rows are stored in Meta's interleaved layout and are converted at load time), greedy decoding
// of "Once upon a time" must give karpathy's documented story, identical in every form, and
// `outlierscope perplexity` must equal tests/reference/llama_hf_ref.py in both conventions.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/text_file.h"
#include "formats/safetensors.h"
#include "hooks/hook_set.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace osc {
namespace {

std::string stories(const std::string& file) { return test::shared_path("testdata/stories260K/" + file); }

std::vector<int32_t> greedy(const Model& m, std::vector<int32_t> ids, int steps) {
  for (int i = 0; i < steps; ++i) {
    Tensor logits = m.forward(ids);
    const int64_t V = m.config().vocab_size;
    const float* last = logits.ptr() + (logits.shape[0] - 1) * V;
    int32_t best = 0;
    for (int32_t v = 1; v < V; ++v)
      if (last[v] > last[best]) best = v;
    ids.push_back(best);
  }
  return ids;
}

TEST(Stories, ThreeFormsGiveTheSameLogits) {
  OSC_REQUIRE_SHARED(stories("stories260K.bin"));
  const Model hf = Model::load(stories("hf"));
  const Model gguf = Model::load(stories("stories260K.gguf"));
  const Model bin = Model::load(stories("stories260K.bin"));
  const std::vector<int32_t> ids = hf.encode("Once upon a time, there was a little dog named Max.");
  ASSERT_GT(ids.size(), 5u);
  EXPECT_EQ(ids[0], 1);  // BOS
  const Tensor a = hf.forward(ids), b = gguf.forward(ids), c = bin.forward(ids);
  ASSERT_EQ(a.shape, b.shape);
  ASSERT_EQ(a.shape, c.shape);
  for (int64_t i = 0; i < a.numel(); ++i) {
    ASSERT_NEAR(a.data[i], b.data[i], 1e-5 * (1 + std::fabs(a.data[i]))) << i;
    ASSERT_NEAR(a.data[i], c.data[i], 1e-5 * (1 + std::fabs(a.data[i]))) << i;
  }
}

TEST(Stories, GreedyStoryIsCoherentAndEqualInAllForms) {
  OSC_REQUIRE_SHARED(stories("stories260K.bin"));
  std::vector<std::string> texts;
  for (const char* form : {"hf", "stories260K.gguf", "stories260K.bin"}) {
    const Model m = Model::load(stories(form));
    const auto ids = greedy(m, m.encode("Once upon a time"), 24);
    texts.push_back(m.require_tokenizer().decode(ids));
  }
  EXPECT_EQ(texts[0].rfind("Once upon a time, there was a little girl named Lily", 0), 0u) << texts[0];
  EXPECT_EQ(texts[0], texts[1]);
  EXPECT_EQ(texts[0], texts[2]);
}

const char* kStory =
    "Once upon a time, there was a little boy named Tim. Tim had a big red ball. He liked to play with his ball "
    "in the park. One day, Tim saw a girl named Sue. Sue was sad because she did not have a ball. Tim wanted to "
    "help Sue. He said, \"Do you want to play with my ball?\" Sue smiled and said, \"Yes, please!\" Tim and Sue "
    "played with the ball all day. They kicked it and threw it. They laughed and had fun. When the sun went down, "
    "Sue said, \"Thank you, Tim. You are a good friend.\" Tim felt happy. He learned that sharing is good. From "
    "that day on, Tim and Sue were best friends. They played in the park every day. The end. Once upon a time, "
    "there was a cat named Mittens. Mittens liked to sleep in the sun. One day, a bird came to the garden.\n";

TEST(Stories, PerplexityEqualsTheReferenceInBothConventions) {
  OSC_REQUIRE_SHARED(stories("hf"));
  const std::string dir = test::scratch_dir("model_stories_ppl");
  write_text_atomically(dir + "/story.txt", kStory);
  const Model hf = Model::load(stories("hf"));
  write_text_atomically(dir + "/ids.json", nlohmann::json(hf.encode(kStory)).dump());
  test::run_reference("llama_hf_ref.py", "--model " + stories("hf") + " --tokens " + dir +
                                             "/ids.json --ctx 64 --bos-id 1 --logit-windows 0 --out " + dir + "/ref.json");
  if (HasFatalFailure()) return;
  const auto ref = nlohmann::json::parse(read_text_file(dir + "/ref.json"));
  // --bos-id only changes the llama.cpp numbers' input; the paper convention is checked separately.
  test::run_reference("llama_hf_ref.py", "--model " + stories("hf") + " --tokens " + dir +
                                             "/ids.json --ctx 64 --logit-windows 0 --out " + dir + "/ref_paper.json");
  const auto ref_paper = nlohmann::json::parse(read_text_file(dir + "/ref_paper.json"));
  for (const char* conv : {"paper", "llamacpp"}) {
    std::string out;
    const std::string cmd = test::cli_path() + " -q perplexity " + stories("stories260K.gguf") + " --file " + dir +
                            "/story.txt --ctx 64 --json --convention " + conv;
    ASSERT_EQ(test::run_command(cmd + " 2>/dev/null", &out), 0) << out;
    const auto got = nlohmann::json::parse(out);
    const double want = std::string(conv) == "paper" ? ref_paper["ppl_all"].get<double>()
                                                     : ref["ppl_second_half"].get<double>();
    EXPECT_NEAR(got["perplexity"].get<double>(), want, 1e-4 * want) << conv;
    EXPECT_EQ(got["windows"].get<int64_t>(), ref["n_windows"].get<int64_t>());
    EXPECT_EQ(got["convention"].get<std::string>(), conv);
  }
}

// --stride: Hugging Face's sliding-window loop (tests/reference/llama_hf_ref.py --stride), every
// token after the first scored once; a stride that divides the text unevenly ends in a short window.
TEST(Stories, SlidingWindowPerplexityEqualsHuggingFacesLoop) {
  OSC_REQUIRE_SHARED(stories("hf"));
  const std::string dir = test::scratch_dir("model_stories_stride");
  write_text_atomically(dir + "/story.txt", kStory);
  const std::vector<int32_t> ids = Model::load(stories("hf")).encode(kStory);
  write_text_atomically(dir + "/ids.json", nlohmann::json(ids).dump());
  for (const int stride : {16, 50}) {
    const std::string ref_path = dir + "/ref" + std::to_string(stride) + ".json";
    test::run_reference("llama_hf_ref.py", "--model " + stories("hf") + " --tokens " + dir + "/ids.json --ctx 64 --stride " +
                                               std::to_string(stride) + " --logit-windows 0 --out " + ref_path);
    if (HasFatalFailure()) return;
    const auto ref = nlohmann::json::parse(read_text_file(ref_path));
    std::string out;
    const std::string cmd = test::cli_path() + " -q perplexity " + stories("stories260K.gguf") + " --file " + dir +
                            "/story.txt --ctx 64 --stride " + std::to_string(stride) + " --json";
    ASSERT_EQ(test::run_command(cmd + " 2>/dev/null", &out), 0) << out;
    const auto got = nlohmann::json::parse(out);
    const double want = ref["ppl_sliding"].get<double>();
    EXPECT_NEAR(got["perplexity"].get<double>(), want, 1e-4 * want) << "stride " << stride;
    EXPECT_EQ(got["scored"].get<int64_t>(), static_cast<int64_t>(ids.size()) - 1) << "stride " << stride;
    EXPECT_EQ(got["scored"].get<int64_t>(), ref["count_sliding"].get<int64_t>());
    EXPECT_EQ(got["windows"].get<int64_t>(), ref["n_windows_sliding"].get<int64_t>());
    EXPECT_EQ(got["stride"].get<int64_t>(), stride);
  }
}

TEST(Stories, StrideOutOfDomainExitsWithStatus2) {
  for (const char* bad : {"--stride 0", "--stride -3", "--stride x", "--stride 65"}) {
    std::string out;
    const std::string cmd = test::cli_path() + " perplexity " + stories("stories260K.gguf") + " --file /dev/null --ctx 64 " + bad;
    EXPECT_EQ(test::run_command(cmd, &out), 2) << bad << ": " << out;
    EXPECT_NE(out.find("--stride"), std::string::npos) << bad << ": " << out;
    EXPECT_EQ(out.find("e+308"), std::string::npos) << out;
  }
}

// `outlierscope run --out/--npy-dir` writes what an in-process capture holds; numpy reads the .npy
// files back with the right shapes and values (an independent reader of our writer).
TEST(Stories, RunCommandWritesSafetensorsAndNpy) {
  OSC_REQUIRE_SHARED(stories("stories260K.gguf"));
  const std::string dir = test::scratch_dir("model_stories_run");
  std::string out;
  const std::string cmd = test::cli_path() + " -q run " + stories("stories260K.gguf") +
                          " --text 'Once upon a time' --hooks 'blocks.*.hook_resid_post' 'blocks.1.attn.hook_pattern' --out " +
                          dir + "/acts.safetensors --npy-dir " + dir + "/npy";
  ASSERT_EQ(test::run_command(cmd, &out), 0) << out;
  const Model m = Model::load(stories("stories260K.gguf"));
  HookSet hooks;
  hooks.capture("blocks.*.hook_resid_post");
  hooks.capture("blocks.1.attn.hook_pattern");
  const std::vector<int32_t> ids = m.encode("Once upon a time");
  m.forward(ids, hooks);
  const SafetensorsContents file = read_safetensors(dir + "/acts.safetensors");
  EXPECT_EQ(file.tensors.size(), hooks.captured().size() + 1);  // + input_ids
  for (const auto& [name, t] : hooks.captured()) EXPECT_EQ(file.tensors.get(name, dir).to_f32(), t.data) << name;
  const std::string check = R"PY(
import sys, numpy as np
d = sys.argv[1]
ids = np.load(d + "/input_ids.npy"); assert ids.dtype == np.int32 and ids[0] == 1, ids
p = np.load(d + "/blocks.1.attn.hook_pattern.npy"); assert p.shape == (8, len(ids), len(ids)), p.shape
assert np.allclose(p.sum(-1), 1, atol=1e-5)
r = np.load(d + "/blocks.4.hook_resid_post.npy"); assert r.shape == (len(ids), 64) and r.dtype == np.float32
print(float(r[0, 0]))
)PY";
  write_text_atomically(dir + "/check.py", check);
  ASSERT_EQ(test::run_command(test::python() + " " + dir + "/check.py " + dir + "/npy", &out), 0) << out;
  EXPECT_NEAR(std::stod(out), hooks.get("blocks.4.hook_resid_post").data[0], 1e-6) << out;
}

}  // namespace
}  // namespace osc
