#include "synth/synth.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/progress.h"
#include "formats/safetensors_writer.h"
#include "model/arch/hf_layout.h"
#include "synth/synth_presets.h"
#include "synth/synth_random.h"

namespace osc {
namespace {

constexpr float kWeightStd = 0.02f;
constexpr uint64_t kDiskMargin = uint64_t{256} << 20;  // headers, config, other writers

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

ArchExample find_example(const std::string& name) {
  for (const ArchExample& e : arch_examples())
    if (e.example->name == name) return e;
  throw_bad_input("--arch", "unknown architecture '" + name + "' (expected one of " + joined(arch_example_names()) + ")");
}

std::vector<SynthTensor> synth_tensors(const std::vector<HfTensor>& layout) {
  std::vector<SynthTensor> out;
  for (const HfTensor& t : layout) {
    const SynthInit init = t.role == TensorRole::NormGain ? SynthInit::Ones
                           : t.role == TensorRole::Bias   ? SynthInit::Zeros
                                                          : SynthInit::Normal;
    out.push_back({t.name, t.shape, init});
  }
  return out;
}

DType parse_dtype(const std::string& name) {
  if (name == "bf16") return DType::BF16;
  if (name == "f16") return DType::F16;
  if (name == "f32") return DType::F32;
  throw_bad_input("--dtype", "unknown dtype '" + name + "' (expected bf16, f16 or f32)");
}

std::string torch_dtype_name(DType t) {
  if (t == DType::BF16) return "bfloat16";
  if (t == DType::F16) return "float16";
  return "float32";
}

StreamedTensor stream_of(const SynthTensor& t, DType dtype, uint64_t seed) {
  StreamedTensor s{t.name, dtype, t.shape, {}};
  if (t.init == SynthInit::Normal) {
    s.generate = [normal = SynthNormal(seed, t.name)](int64_t first, int64_t count, float* out) {
      normal.fill(first, count, kWeightStd, out);
    };
  } else {
    const float value = t.init == SynthInit::Ones ? 1.0f : 0.0f;
    s.generate = [value](int64_t, int64_t count, float* out) { std::fill(out, out + count, value); };
  }
  return s;
}

std::string gib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

}  // namespace

SynthPlan plan_synth_model(const SynthOptions& options) {
  const ArchExample arch = find_example(options.arch);
  const auto preset = find_synth_preset(options.preset);
  if (!preset) throw_bad_input("--preset", "unknown preset '" + options.preset + "' (expected one of " + joined(synth_preset_names()) + ")");
  SynthPlan plan;
  plan.dtype = parse_dtype(options.dtype);
  SizePreset shape = *preset;
  if (options.n_layers > 0) shape.n_layers = options.n_layers;
  plan.config = arch.example->make(shape);
  plan.tensors = synth_tensors(hf_tensor_layout(*arch.spec, plan.config));
  plan.hf_config = arch.spec->write_hf_config(plan.config);
  plan.hf_config["torch_dtype"] = torch_dtype_name(plan.dtype);
  plan.hf_config["_name_or_path"] = plan.config.name;
  for (const auto& t : plan.tensors)
    plan.tensor_bytes += static_cast<uint64_t>(shape_numel(t.shape)) * static_cast<uint64_t>(dtype_block_bytes(plan.dtype));
  return plan;
}

void check_free_disk(const std::string& dir, uint64_t needed_bytes) {
  std::error_code ec;
  const auto space = std::filesystem::space(dir, ec);
  if (ec) throw_bad_input(dir, "cannot query free disk space: " + ec.message());
  if (space.available < needed_bytes + kDiskMargin)
    throw_bad_input(dir, "not enough free disk space: the model needs " + gib(needed_bytes) + " (+" + gib(kDiskMargin) +
                             " margin), only " + gib(space.available) + " available");
}

SynthPlan write_synth_model(const SynthOptions& options) {
  if (options.out_dir.empty()) throw_bad_input("--out", "an output directory is required");
  SynthPlan plan = plan_synth_model(options);
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) throw_bad_input(options.out_dir, "cannot create directory: " + ec.message());
  check_free_disk(options.out_dir, plan.tensor_bytes);

  std::vector<StreamedTensor> streams;
  streams.reserve(plan.tensors.size());
  for (const auto& t : plan.tensors) streams.push_back(stream_of(t, plan.dtype, options.seed));
  write_text_atomically((std::filesystem::path(options.out_dir) / "config.json").string(), plan.hf_config.dump(2) + "\n");

  // Counted in started MiB, like the total, so that a model smaller than 1 MiB ends at 1/1, not 0/1.
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  const auto started_mib = [](uint64_t bytes) { return static_cast<int64_t>((bytes + kMiB - 1) / kMiB); };
  Progress progress("synth " + options.arch + " " + options.preset, started_mib(plan.tensor_bytes), "MiB", options.quiet);
  write_safetensors_model(options.out_dir, streams, options.max_shard_bytes,
                          [&](uint64_t done) { progress.update(started_mib(done)); });
  progress.finish();
  return plan;
}

}  // namespace osc
