// The forward pass of every synth family emits exactly the points Model::hook_names() lists, in
// that order, with the shapes the hook table gives (whole-sequence and KV-cache passes): the pass
// and the list are built from one table and may not drift apart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hooks/hook_set.h"
#include "model/arch/arch.h"
#include "model/hook_points.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "synth/synth.h"
#include "support/shared_data.h"

namespace osc {
namespace {

Model synth_model(const std::string& arch) {
  SynthOptions o;
  o.arch = arch;
  o.preset = "tiny";
  o.dtype = "f32";
  o.out_dir = test::scratch_dir("hook_points_" + arch);
  o.quiet = true;
  write_synth_model(o);
  return Model::load(o.out_dir);
}

// The pass captured every listed point, in order, with the table's shape for `tokens` new tokens
// attending to `keys` positions.
void expect_listed(const std::string& arch, const Model& m, const HookSet& hooks, int64_t tokens, int64_t keys) {
  const std::vector<ListedHook> listed = list_hooks(m.config());
  EXPECT_EQ(hooks.captured_order(), m.hook_names()) << arch;
  for (const ListedHook& h : listed) {
    auto it = hooks.captured().find(h.name);
    if (it == hooks.captured().end()) continue;  // reported above
    EXPECT_EQ(it->second.shape, hook_shape(*h.info, m.config(), tokens, keys)) << arch << " " << h.name;
  }
}

std::vector<int32_t> ids(int64_t n, int64_t offset) {
  std::vector<int32_t> out;
  for (int64_t t = 0; t < n; ++t) out.push_back(static_cast<int32_t>(7 * (t + offset) % 500 + 3));
  return out;
}

TEST(HookPoints, EverySynthFamilyEmitsExactlyTheListedPoints) {
  ASSERT_FALSE(arch_example_names().empty());
  for (const std::string& arch : arch_example_names()) {
    const Model m = synth_model(arch);
    HookSet whole;
    whole.capture_all();
    m.forward(ids(6, 0), whole);
    expect_listed(arch, m, whole, 6, 6);

    KvCache cache(m.config());
    m.forward(ids(6, 0), cache);
    HookSet step;
    step.capture_all();
    m.forward(ids(2, 6), cache, step);
    expect_listed(arch + " (cached)", m, step, 2, 8);
  }
}

TEST(HookPoints, WithoutMatricesListsNeitherScoresNorPattern) {
  const Model m = synth_model("llama");
  const std::vector<std::string> all = m.hook_names(true), small = m.hook_names(false);
  EXPECT_EQ(all.size(), small.size() + 2 * static_cast<size_t>(m.config().n_layers));
  for (const std::string& name : small) {
    EXPECT_EQ(name.find("hook_attn_scores"), std::string::npos) << name;
    EXPECT_EQ(name.find("hook_pattern"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace osc
