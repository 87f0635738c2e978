#include "model/arch/hf_config.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/arch/arch.h"

namespace osc {
namespace {

bool names(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// The first registered spec whose reading's `field` (model_types or classes) names `name`.
const ArchSpec* spec_naming(std::vector<std::string> HfConfigReading::*field, const std::string& name) {
  for (const std::string& arch : registered_architectures()) {
    const ArchSpec* spec = find_arch(arch);
    if (names(spec->hf_reading.*field, name)) return spec;
  }
  return nullptr;
}

// Sorted as the message has always listed them (upper case first).
std::string supported_list() {
  std::set<std::string> types;
  for (const std::string& arch : registered_architectures())
    for (const std::string& t : find_arch(arch)->hf_reading.model_types) types.insert(t);
  std::string out;
  for (const std::string& t : types) out += (out.empty() ? "" : ", ") + t;
  return out;
}

const ArchSpec& detect_spec(const HfFields& f) {
  const std::string model_type = f.string_or({"model_type"}, "");
  if (const ArchSpec* spec = spec_naming(&HfConfigReading::model_types, model_type)) return *spec;
  std::string cls;
  if (const nlohmann::json* a = f.find({"architectures"}); a && a->is_array() && !a->empty() && a->front().is_string()) {
    cls = a->front().get<std::string>();
    if (const ArchSpec* spec = spec_naming(&HfConfigReading::classes, cls)) return *spec;
  }
  const std::string named = !model_type.empty() ? "model_type '" + model_type + "'"
                            : !cls.empty()      ? "architecture '" + cls + "'"
                                                : std::string("no model_type or architectures");
  f.fail("unsupported model: " + named + " (supported model_type values: " + supported_list() + ")");
}

}  // namespace

ModelConfig config_from_hf(const nlohmann::json& config, const std::string& where) {
  if (!config.is_object()) throw_bad_input(where, "config is not a JSON object");
  HfFields f(config, where);
  const ArchSpec& spec = detect_spec(f);
  ModelConfig c;
  c.architecture = spec.name;
  c.source_format = "hf";
  c.name = f.string_or({"_name_or_path"}, "");
  refuse_unhonoured_values(f, spec.hf_reading.computation_keys);
  spec.hf_reading.read(f, c);
  c.bos_token_id = f.token_id("bos_token_id");
  c.eos_token_id = f.token_id("eos_token_id");
  validate_model_config(c, where);
  return c;
}

const std::vector<ComputationKey>& computation_keys(const std::string& architecture) {
  static const std::vector<ComputationKey> none;
  const ArchSpec* spec = find_arch(architecture);
  return spec ? spec->hf_reading.computation_keys : none;
}

}  // namespace osc
