#include "train/checkpoint.h"

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "core/text_file.h"
#include "formats/safetensors.h"

namespace osc::train {
namespace {

constexpr const char* kStateFile = "/checkpoint.json";
constexpr const char* kFormat = "outlierscope-train-checkpoint";

std::string tensor_file_name(int64_t step) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "checkpoint-%08lld.safetensors", static_cast<long long>(step));
  return buf;
}

TensorView f32_view(const Shape& shape, const float* data) {
  TensorView v;
  v.dtype = DType::F32, v.shape = shape, v.data = data;
  v.nbytes = static_cast<uint64_t>(shape_numel(shape)) * 4;
  return v;
}

void remove_stale_tensor_files(const std::string& run_dir, const std::string& keep) {
  for (const auto& entry : std::filesystem::directory_iterator(run_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("checkpoint-", 0) == 0 && name != keep) std::filesystem::remove(entry.path());
  }
}

void copy_tensor(const TensorView& src, const ParamEntry& e, float* dst, const std::string& where) {
  OSC_CHECK_INPUT(src.dtype == DType::F32 && src.shape == e.spec.shape, where,
                  "tensor '" + e.spec.name + "' has shape " + shape_to_string(src.shape) + ", expected " +
                      shape_to_string(e.spec.shape));
  std::memcpy(dst, src.data, static_cast<size_t>(e.numel) * 4);
}

}  // namespace

void save_checkpoint(const std::string& run_dir, const GptModel& model, const AdamW& opt, const CheckpointState& s) {
  const std::string file = tensor_file_name(s.step);
  std::vector<std::pair<std::string, TensorView>> tensors;
  const ParamStore& p = model.params();
  for (const auto& e : p.entries()) {
    tensors.emplace_back(e.spec.name, f32_view(e.spec.shape, p.values.data() + e.offset));
    tensors.emplace_back("adamw.m." + e.spec.name, f32_view(e.spec.shape, opt.m.data() + e.offset));
    tensors.emplace_back("adamw.v." + e.spec.name, f32_view(e.spec.shape, opt.v.data() + e.offset));
  }
  write_safetensors(run_dir + "/" + file, tensors, {{"format", kFormat}});
  nlohmann::json rng = nlohmann::json::array();
  for (uint64_t w : s.rng) rng.push_back(std::to_string(w));  // full 64-bit words, exactly
  const nlohmann::json state = {{"format", kFormat},   {"version", 1},
                                {"step", s.step},      {"adam_step", opt.step()},
                                {"tensors", file},     {"rng", rng},
                                {"model", gpt_config_to_json(model.config())},
                                {"options", train_options_to_json(s.options)}};
  write_text_atomically(run_dir + kStateFile, state.dump(2) + "\n");
  remove_stale_tensor_files(run_dir, file);
}

bool checkpoint_exists(const std::string& run_dir) { return std::filesystem::exists(run_dir + kStateFile); }

CheckpointState read_checkpoint_state(const std::string& run_dir, CheckpointState state) {
  const std::string path = run_dir + kStateFile;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_text_file(path));
    OSC_CHECK_INPUT(j.at("format") == kFormat, path, "not an outlierscope training checkpoint");
    state.step = j.at("step").get<int64_t>();
    OSC_CHECK_INPUT(state.step >= 0, path, "negative step");
    const auto& rng = j.at("rng");
    OSC_CHECK_INPUT(rng.is_array() && rng.size() == 4, path, "rng must hold 4 words");
    for (size_t i = 0; i < 4; ++i) state.rng[i] = std::stoull(rng[i].get<std::string>());
    train_options_from_json(j.at("options"), state.options, path);
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(path, std::string("bad checkpoint state: ") + e.what());
  } catch (const std::logic_error& e) {  // stoull
    throw_bad_input(path, std::string("bad rng word: ") + e.what());
  }
  return state;
}

void load_checkpoint_tensors(const std::string& run_dir, GptModel& model, AdamW& opt) {
  const std::string state_path = run_dir + kStateFile;
  const nlohmann::json j = read_json_file(state_path);
  const std::string file = run_dir + "/" + j.at("tensors").get<std::string>();
  const SafetensorsContents contents = read_safetensors(file);
  ParamStore& p = model.params();
  for (const auto& e : p.entries()) {
    copy_tensor(contents.tensors.get(e.spec.name, file), e, p.values.data() + e.offset, file);
    copy_tensor(contents.tensors.get("adamw.m." + e.spec.name, file), e, opt.m.data() + e.offset, file);
    copy_tensor(contents.tensors.get("adamw.v." + e.spec.name, file), e, opt.v.data() + e.offset, file);
  }
  opt.set_step(j.at("adam_step").get<int64_t>());
}

}  // namespace osc::train
