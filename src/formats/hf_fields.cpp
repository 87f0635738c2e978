#include "formats/hf_fields.h"

#include <cmath>

#include "core/error.h"

namespace osc {

void HfFields::fail(const std::string& what) const { throw_bad_input(where_, what); }

const nlohmann::json* HfFields::find(std::initializer_list<const char*> keys) const {
  for (const char* k : keys) {
    auto it = j_.find(k);
    if (it != j_.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::optional<int64_t> HfFields::integer_opt(std::initializer_list<const char*> keys) const {
  const nlohmann::json* v = find(keys);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  // Some exporters write integral values as floats (e.g. 4.0); only those inside int64's range convert.
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d >= -9.2e18 && d <= 9.2e18 && d == std::floor(d)) return static_cast<int64_t>(d);
  }
  fail(std::string("config '") + *keys.begin() + "' is " + v->dump() + ", expected an integer");
}

int64_t HfFields::integer(std::initializer_list<const char*> keys) const {
  auto v = integer_opt(keys);
  if (!v) fail(std::string("config is missing '") + *keys.begin() + "'");
  return *v;
}

int64_t HfFields::integer_or(std::initializer_list<const char*> keys, int64_t fallback) const {
  return integer_opt(keys).value_or(fallback);
}

std::optional<double> HfFields::number_opt(std::initializer_list<const char*> keys) const {
  const nlohmann::json* v = find(keys);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(std::string("config '") + *keys.begin() + "' is " + v->dump() + ", expected a number");
  return v->get<double>();
}

double HfFields::number_or(std::initializer_list<const char*> keys, double fallback) const {
  return number_opt(keys).value_or(fallback);
}

bool HfFields::boolean_or(std::initializer_list<const char*> keys, bool fallback) const {
  const nlohmann::json* v = find(keys);
  if (!v) return fallback;
  if (!v->is_boolean()) fail(std::string("config '") + *keys.begin() + "' is " + v->dump() + ", expected true or false");
  return v->get<bool>();
}

std::string HfFields::string_or(std::initializer_list<const char*> keys, const std::string& fallback) const {
  const nlohmann::json* v = find(keys);
  if (!v) return fallback;
  if (!v->is_string()) fail(std::string("config '") + *keys.begin() + "' is " + v->dump() + ", expected a string");
  return v->get<std::string>();
}

int64_t HfFields::token_id(const char* key) const {
  const nlohmann::json* v = find({key});
  if (!v) return -1;
  if (v->is_array()) return v->empty() || !v->front().is_number_integer() ? -1 : v->front().get<int64_t>();
  return v->is_number_integer() ? v->get<int64_t>() : -1;
}

Activation HfFields::activation(std::initializer_list<const char*> keys, const std::string& fallback) const {
  const std::string name = string_or(keys, fallback);
  if (name == "silu" || name == "swish") return Activation::SiLU;
  if (name == "gelu") return Activation::GELU;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GELUTanh;
  if (name == "relu") return Activation::ReLU;
  fail(std::string("config '") + *keys.begin() + "' = '" + name +
       "' is not a supported activation (supported: silu, swish, gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)");
}

}  // namespace osc
