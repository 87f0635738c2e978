// The plan of a test-side HF -> GGUF conversion (hf_to_gguf.h): which GGUF tensors are made of
// which Hugging Face elements, and the metadata, per family, from llama.cpp's conventions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"

namespace osc::test {

// Where each element of a GGUF tensor comes from: HF tensor index << 32 | flat index in it.
struct PlannedTensor {
  std::string name;
  Shape shape;  // PyTorch order
  std::vector<int64_t> at;
};

struct MetadataValue {
  enum class Kind { U32, F32, Bool } kind;
  double value;
};

struct ConversionPlan {
  std::string arch;  // general.architecture
  std::vector<std::pair<std::string, MetadataValue>> metadata;  // keys without the "<arch>." prefix
  std::vector<PlannedTensor> tensors;
};

struct HfTensorShape {
  std::string name;
  Shape shape;
};

// The older layouts a conversion may write instead of the current one (see GgufConversion).
struct PlanOptions {
  bool fused_phi2_qkv = false;
  bool per_expert_mixtral = false;
};

// Throws std::runtime_error for a model_type or tensor name the converter does not know.
ConversionPlan plan_conversion(const nlohmann::json& config, const std::vector<HfTensorShape>& hf,
                               const PlanOptions& options = {});

}  // namespace osc::test
