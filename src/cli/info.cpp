// `outlierscope info PATH [--json]`: what a checkpoint is (format, architecture, ModelConfig), its
// tensors (name, dtype, shape, bytes) and parameter count, and for GGUF every metadata key.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "formats/checkpoint.h"
#include "model/checkpoint_config.h"
#include "tokenizer/load_tokenizer.h"

namespace osc::cli {
namespace {

using nlohmann::json;

constexpr size_t kArrayItemsShown = 8;

// The config, or the reason there is none (an info listing should still work for vocab-only GGUFs).
json config_json(const Checkpoint& ck) {
  if (!ck.has_config()) return nullptr;
  try {
    return model_config_to_json(checkpoint_config(ck));
  } catch (const Error& e) {
    return {{"error", e.what()}};
  }
}

json tensors_json(const NamedTensors& tensors) {
  json out = json::array();
  for (const auto& [name, v] : tensors)
    out.push_back({{"name", name}, {"dtype", dtype_name(v.dtype)}, {"shape", v.shape}, {"bytes", v.nbytes}});
  return out;
}

json gguf_metadata_json(const GgufFile& g) {
  json out = json::array();
  for (const auto& [key, value] : g.metadata()) {
    std::string type(gguf_value_type_name(value.type));
    if (value.is_array()) type += "<" + std::string(gguf_value_type_name(value.element_type)) + ">";
    json entry = {{"key", key}, {"type", type}, {"value", value.to_display(kArrayItemsShown)}};
    if (value.is_array()) entry["length"] = value.count;
    out.push_back(std::move(entry));
  }
  return out;
}

// A tokenizer-only source (tok512.bin, a folder with only tokenizer files): what the tokenizer is.
json tokenizer_only_json(const Checkpoint& ck) {
  const auto tok = load_tokenizer(ck.path());
  return {{"kind", tok->info().kind}, {"vocab_size", tok->vocab_size()}, {"bos_id", tok->bos_id()}, {"eos_id", tok->eos_id()}};
}

json info_json(const Checkpoint& ck) {
  json j;
  j["path"] = ck.path();
  j["format"] = checkpoint_format_name(ck.format());
  if (const GgufFile* g = ck.gguf()) {
    j["gguf_version"] = g->version();
    j["gguf_alignment"] = g->alignment();
  }
  j["config"] = config_json(ck);
  j["architecture"] = j["config"].contains("architecture") ? j["config"]["architecture"] : json(nullptr);
  j["tensors"] = tensors_json(ck.tensors());
  j["tensor_count"] = ck.tensors().size();
  j["total_parameters"] = ck.tensors().total_elements();
  j["total_bytes"] = ck.tensors().total_bytes();
  if (const GgufFile* g = ck.gguf()) j["metadata"] = gguf_metadata_json(*g);
  if (ck.format() == CheckpointFormat::TokenizerOnly) j["tokenizer"] = tokenizer_only_json(ck);
  if (!ck.safetensors_metadata().empty()) j["safetensors_metadata"] = ck.safetensors_metadata();
  return j;
}

std::string scalar_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void print_text(const json& j) {
  std::cout << "path: " << scalar_text(j["path"]) << "\nformat: " << scalar_text(j["format"]);
  if (j.contains("gguf_version")) std::cout << " (version " << j["gguf_version"] << ", alignment " << j["gguf_alignment"] << ")";
  std::cout << "\narchitecture: " << (j["architecture"].is_null() ? "unknown" : scalar_text(j["architecture"])) << "\n";
  if (j.contains("tokenizer")) {
    const json& t = j["tokenizer"];
    std::cout << "tokenizer only, no model weights: " << scalar_text(t["kind"]) << ", " << t["vocab_size"] << " tokens, BOS "
              << t["bos_id"] << ", EOS " << t["eos_id"] << " (`outlierscope tokenize " << scalar_text(j["path"])
              << " \"text\"` reads it)\n";
  }
  if (j["config"].is_null()) std::cout << "config: none\n";
  else if (j["config"].contains("error")) std::cout << "config: unavailable: " << scalar_text(j["config"]["error"]) << "\n";
  else {
    std::cout << "config:\n";
    for (const auto& [k, v] : j["config"].items()) std::cout << "  " << k << ": " << scalar_text(v) << "\n";
  }
  std::cout << "tensors: " << j["tensor_count"] << "\n";
  for (const auto& t : j["tensors"]) {
    char row[512];
    std::snprintf(row, sizeof row, "  %-48s %-5s %-20s %12llu\n", t["name"].get<std::string>().c_str(),
                  t["dtype"].get<std::string>().c_str(), shape_to_string(t["shape"].get<Shape>()).c_str(),
                  static_cast<unsigned long long>(t["bytes"].get<uint64_t>()));
    std::cout << row;
  }
  std::cout << "total parameters: " << j["total_parameters"] << "\ntotal bytes: " << j["total_bytes"] << "\n";
  if (j.contains("metadata")) {
    std::cout << "metadata: " << j["metadata"].size() << " keys\n";
    for (const auto& m : j["metadata"])
      std::cout << "  " << scalar_text(m["key"]) << " (" << scalar_text(m["type"]) << ") = " << scalar_text(m["value"]) << "\n";
  }
  if (j.contains("safetensors_metadata")) {
    std::cout << "safetensors metadata:\n";
    for (const auto& [k, v] : j["safetensors_metadata"].items()) std::cout << "  " << k << " = " << scalar_text(v) << "\n";
  }
}

const CommandRegistration registration(
    "info", "Describe a checkpoint: format, architecture, config, tensors, GGUF metadata", [](CLI::App& sub) {
      auto path = std::make_shared<std::string>();
      auto as_json = std::make_shared<bool>(false);
      sub.add_option("path", *path, "HF folder, .safetensors, .gguf or llama2.c .bin")->required();
      sub.add_flag("--json", *as_json, "Print one JSON object");
      return [path, as_json]() {
        const json j = info_json(Checkpoint::open(*path));
        if (*as_json) std::cout << j.dump(2) << "\n";
        else print_text(j);
        std::cout.flush();
        return 0;
      };
    });

}  // namespace
}  // namespace osc::cli
