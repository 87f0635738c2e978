#include "formats/hf_fields.h"

#include "core/error.h"

namespace osc {

void HfFields::fail(const std::string& what) const { throw_bad_input(where(), what); }

std::optional<JsonField> HfFields::first(std::initializer_list<const char*> keys) const {
  for (const char* k : keys)
    if (auto f = fields_.find(k)) return f;
  return std::nullopt;
}

const nlohmann::json* HfFields::find(std::initializer_list<const char*> keys) const {
  const auto f = first(keys);
  return f ? &f->json() : nullptr;
}

std::optional<int64_t> HfFields::integer_opt(std::initializer_list<const char*> keys) const {
  const auto f = first(keys);
  return f ? std::optional<int64_t>(f->integer()) : std::nullopt;
}

int64_t HfFields::integer(std::initializer_list<const char*> keys) const {
  const auto v = integer_opt(keys);
  if (!v) JsonField(json(), where(), *keys.begin()).fail("missing");
  return *v;
}

int64_t HfFields::integer_or(std::initializer_list<const char*> keys, int64_t fallback) const {
  return integer_opt(keys).value_or(fallback);
}

std::optional<double> HfFields::number_opt(std::initializer_list<const char*> keys) const {
  const auto f = first(keys);
  return f ? std::optional<double>(f->number()) : std::nullopt;
}

double HfFields::number_or(std::initializer_list<const char*> keys, double fallback) const {
  return number_opt(keys).value_or(fallback);
}

bool HfFields::boolean_or(std::initializer_list<const char*> keys, bool fallback) const {
  const auto f = first(keys);
  return f ? f->boolean() : fallback;
}

std::string HfFields::string_or(std::initializer_list<const char*> keys, const std::string& fallback) const {
  const auto f = first(keys);
  return f ? f->text() : fallback;
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
