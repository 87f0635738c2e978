#include "hooks/intervention.h"

#include <charconv>
#include <vector>

#include "core/error.h"

namespace osc {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

int64_t parse_index(std::string_view text, const std::string& where) {
  int64_t v = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  OSC_CHECK_INPUT(ec == std::errc() && ptr == text.data() + text.size() && v >= 0, where,
                  "expected a non-negative integer, got '" + std::string(text) + "'");
  return v;
}

double parse_number(std::string_view text, const std::string& where) {
  try {
    size_t used = 0;
    const std::string s(text);
    double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw_bad_input(where, "expected a number, got '" + std::string(text) + "'");
}

InterventionOp parse_op(std::string_view op, const std::string& where) {
  if (op == "zero") return InterventionOp::Zero;
  if (op == "set") return InterventionOp::Set;
  if (op == "scale") return InterventionOp::Scale;
  if (op == "mean") return InterventionOp::Mean;
  throw_bad_input(where, "unknown operation '" + std::string(op) + "' (expected zero, set, scale or mean)");
}

void parse_option(std::string_view kv, Intervention& iv, bool& has_value, const std::string& where) {
  const size_t eq = kv.find('=');
  OSC_CHECK_INPUT(eq != std::string_view::npos, where, "expected key=value, got '" + std::string(kv) + "'");
  const std::string_view key = kv.substr(0, eq), val = kv.substr(eq + 1);
  if (key == "token") iv.token = parse_index(val, where);
  else if (key == "channel") iv.channel = parse_index(val, where);
  else if (key == "value" || key == "factor") {
    iv.value = parse_number(val, where);
    has_value = true;
  } else {
    throw_bad_input(where, "unknown key '" + std::string(key) + "' (expected token, channel, value or factor)");
  }
}

const char* op_name(InterventionOp op) {
  switch (op) {
    case InterventionOp::Zero: return "zero";
    case InterventionOp::Set: return "set";
    case InterventionOp::Scale: return "scale";
    case InterventionOp::Mean: return "mean";
  }
  return "?";
}

}  // namespace

Intervention parse_intervention(std::string_view spec) {
  const std::string where = "intervention '" + std::string(spec) + "'";
  const auto parts = split(spec, ':');
  OSC_CHECK_INPUT(parts.size() == 2 || parts.size() == 3, where, "expected HOOK:OP[:key=value,...]");
  OSC_CHECK_INPUT(!parts[0].empty(), where, "empty hook name");
  Intervention iv;
  iv.hook = std::string(parts[0]);
  iv.op = parse_op(parts[1], where);
  bool has_value = false;
  if (parts.size() == 3 && !parts[2].empty())
    for (std::string_view kv : split(parts[2], ',')) parse_option(kv, iv, has_value, where);
  if (iv.op == InterventionOp::Set || iv.op == InterventionOp::Scale)
    OSC_CHECK_INPUT(has_value, where, std::string(op_name(iv.op)) + " needs " +
                                          (iv.op == InterventionOp::Set ? "value=X" : "factor=X"));
  return iv;
}

std::string intervention_to_string(const Intervention& iv) {
  std::string s = iv.hook + ":" + op_name(iv.op);
  std::vector<std::string> opts;
  if (iv.token) opts.push_back("token=" + std::to_string(*iv.token));
  if (iv.channel) opts.push_back("channel=" + std::to_string(*iv.channel));
  if (iv.op == InterventionOp::Set) opts.push_back("value=" + std::to_string(iv.value));
  if (iv.op == InterventionOp::Scale) opts.push_back("factor=" + std::to_string(iv.value));
  for (size_t i = 0; i < opts.size(); ++i) s += (i ? "," : ":") + opts[i];
  return s;
}

void apply_intervention(const Intervention& iv, const std::string& hook_name, float* data, const Shape& shape) {
  const int64_t rows = shape.empty() ? 1 : shape[0];
  const int64_t width = rows == 0 ? 0 : shape_numel(shape) / rows;
  const std::string where = "intervention on " + hook_name + " " + shape_to_string(shape);
  OSC_CHECK_INPUT(!iv.token || *iv.token < rows, where, "token " + std::to_string(*iv.token) + " is out of range");
  OSC_CHECK_INPUT(!iv.channel || *iv.channel < width, where,
                  "channel " + std::to_string(*iv.channel) + " is out of range");
  const int64_t t0 = iv.token.value_or(0), t1 = iv.token ? *iv.token + 1 : rows;
  const int64_t c0 = iv.channel.value_or(0), c1 = iv.channel ? *iv.channel + 1 : width;
  for (int64_t c = c0; c < c1; ++c) {
    float mean = 0.0f;
    if (iv.op == InterventionOp::Mean) {
      double sum = 0.0;
      for (int64_t t = 0; t < rows; ++t) sum += data[t * width + c];
      mean = static_cast<float>(sum / static_cast<double>(rows));
    }
    for (int64_t t = t0; t < t1; ++t) {
      float& x = data[t * width + c];
      switch (iv.op) {
        case InterventionOp::Zero: x = 0.0f; break;
        case InterventionOp::Set: x = static_cast<float>(iv.value); break;
        case InterventionOp::Scale: x *= static_cast<float>(iv.value); break;
        case InterventionOp::Mean: x = mean; break;
      }
    }
  }
}

}  // namespace osc
