#include "support/hf_to_gguf.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "formats/gguf_quantize.h"
#include "formats/gguf_writer.h"
#include "formats/safetensors.h"
#include "support/hf_to_gguf_plan.h"

namespace osc::test {
namespace {

using Json = nlohmann::json;

// llama-quantize's rule: matrices (and expert stacks) whose rows hold whole blocks, except the
// learned positions and the MoE router.
DType stored_type(const PlannedTensor& t, DType wanted) {
  const bool matrix = t.shape.size() >= 2;
  const bool excluded = t.name == "position_embd.weight" || t.name.find("ffn_gate_inp") != std::string::npos;
  if (!matrix || excluded || t.shape.back() % dtype_block_elements(wanted) != 0) return DType::F32;
  return wanted;
}

void set_metadata(GgufWriter& w, const ConversionPlan& plan, int64_t vocab) {
  w.set_string("general.architecture", plan.arch);
  w.set_string("general.name", "hf_to_gguf test conversion");
  for (const auto& [key, v] : plan.metadata) {
    const std::string full = plan.arch + "." + key;
    if (v.kind == MetadataValue::Kind::U32) w.set_u32(full, static_cast<uint32_t>(v.value));
    else if (v.kind == MetadataValue::Kind::F32) w.set_f32(full, static_cast<float>(v.value));
    else w.set_bool(full, v.value != 0);
  }
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < vocab; ++i) tokens.push_back("<t" + std::to_string(i) + ">");
  w.set_string_array("tokenizer.ggml.tokens", tokens);
}

struct Sidecar {
  std::string dir;
  int count = 0;
  std::ofstream manifest;

  void add(DType type, const PlannedTensor& t, const std::vector<uint8_t>& bytes) {
    const std::string k = std::to_string(count++);
    std::ofstream(dir + "/" + k + ".bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(dir + "/" + k + ".at", std::ios::binary)
        .write(reinterpret_cast<const char*>(t.at.data()), static_cast<std::streamsize>(t.at.size() * sizeof(int64_t)));
    manifest << k << " " << dtype_name(type) << " " << t.at.size() << "\n";
  }
};

}  // namespace

void convert_hf_to_gguf(const std::string& hf_dir, const std::string& gguf_path, const GgufConversion& options) {
  Json config;
  std::ifstream(hf_dir + "/config.json") >> config;
  const SafetensorsContents hf = read_safetensors(hf_dir + "/model.safetensors");
  std::vector<HfTensorShape> shapes;
  std::vector<std::vector<float>> values;
  for (const auto& [name, view] : hf.tensors) {
    shapes.push_back({name, view.shape});
    values.push_back(view.to_f32());
  }
  const ConversionPlan plan = plan_conversion(config, shapes, {options.fused_phi2_qkv, options.per_expert_mixtral});
  GgufWriter writer;
  set_metadata(writer, plan, config.at("vocab_size").get<int64_t>());
  Sidecar sidecar{options.sidecar_dir};
  if (!sidecar.dir.empty()) {
    std::filesystem::create_directories(sidecar.dir);
    sidecar.manifest.open(sidecar.dir + "/manifest.txt");
    std::ofstream names(sidecar.dir + "/hf_names.txt");
    for (const auto& s : shapes) names << s.name << "\n";
  }
  for (const PlannedTensor& t : plan.tensors) {
    std::vector<float> gathered;
    for (int64_t a : t.at) gathered.push_back(values[static_cast<size_t>(a >> 32)][static_cast<size_t>(a & 0xffffffff)]);
    const DType type = stored_type(t, options.weights);
    const int64_t cols = t.shape.back();
    auto bytes = std::make_shared<std::vector<uint8_t>>(
        quantize_rows(type, gathered.data(), static_cast<int64_t>(gathered.size()) / cols, cols));
    if (type != DType::F32 && !sidecar.dir.empty()) sidecar.add(type, t, *bytes);
    writer.add_tensor(t.name, TensorView{type, t.shape, bytes->data(), bytes->size(), bytes});
  }
  writer.write(gguf_path);
}

}  // namespace osc::test
