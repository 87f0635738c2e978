// The reference comparison (model_reference_check.h) is tight enough to see small mistakes: a
// model run with the wrong config value must fail it. Each case generates a reference checkpoint,
// edits one key of its config.json to a near-miss, and checks that the hook it first affects is
// outside kReferenceTolerance (while the unedited model is inside, model_<family>_test.cpp).
#include <fstream>

#include <nlohmann/json.hpp>

#include "model_reference_check.h"

namespace osc {
namespace {

// Worst relative error of `hook` at T = 40 for gen_model.py --arch `arch` after `edit` of config.json.
double worst_after_edit(const std::string& arch, const std::string& extra_args, const nlohmann::json& edit,
                        const std::string& hook) {
  const std::string dir = test::scratch_dir("sensitivity_" + arch);
  test::run_reference("gen_model.py", "--arch " + arch + " --out " + dir + " --lengths 40 " + extra_args);
  nlohmann::json config;
  std::ifstream(dir + "/config.json") >> config;
  config.merge_patch(edit);
  std::ofstream(dir + "/config.json") << config.dump();
  const Model model = Model::load(dir);
  const SafetensorsContents expected = read_safetensors(dir + "/expected_T40.safetensors");
  HookSet hooks;
  hooks.capture_all();
  model.forward(test::reference_input_ids(expected.tensors.get("input_ids", dir)), hooks);
  return test::worst_error(hooks.captured().at(hook), expected.tensors.get(hook, dir).to_f32()).relative;
}

TEST(ReferenceSensitivity, TellsGeluFromGeluNew) {
  // gelu and gelu_new differ by up to 4.7e-4 relative (at x ≈ -2.7).
  EXPECT_GT(worst_after_edit("falcon7b", "", {{"activation", "gelu_new"}}, "blocks.0.mlp.hook_post"),
            test::kReferenceTolerance);
}

}  // namespace
}  // namespace osc
