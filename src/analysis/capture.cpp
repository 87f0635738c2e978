#include "analysis/capture.h"

#include "core/error.h"

namespace osc::analysis {
namespace {

// Checks that every dimension before the last `kept` ones is 1.
void require_unit_leading_dims(const Tensor& t, size_t kept, const std::string& where) {
  OSC_CHECK_INPUT(t.shape.size() >= kept, where,
                  "expected at least " + std::to_string(kept) + " dimensions, got " + shape_to_string(t.shape));
  for (size_t i = 0; i + kept < t.shape.size(); ++i)
    OSC_CHECK_INPUT(t.shape[i] == 1, where, "batch dimensions must be 1, got " + shape_to_string(t.shape));
  OSC_CHECK_INPUT(static_cast<int64_t>(t.data.size()) == t.numel() && t.numel() == shape_numel(t.shape), where,
                  "data size does not match shape " + shape_to_string(t.shape));
}

int64_t dim_from_end(const Tensor& t, size_t back) { return t.shape[t.shape.size() - back]; }

}  // namespace

TokenClass token_class_at(const InputSequence& input, int64_t position) {
  const auto& pieces = input.vocab_pieces.empty() ? input.pieces : input.vocab_pieces;
  const bool inside = position >= 0 && position < static_cast<int64_t>(pieces.size());
  return classify_token(inside ? std::string_view(pieces[static_cast<size_t>(position)]) : std::string_view(), position);
}

std::string piece_at(const InputSequence& input, int64_t position) {
  const bool inside = position >= 0 && position < static_cast<int64_t>(input.pieces.size());
  return inside ? input.pieces[static_cast<size_t>(position)] : std::string();
}

std::string hook_name(const std::string& pattern, int64_t layer) {
  std::string s = pattern;
  const size_t at = s.find("{L}");
  if (at != std::string::npos) s.replace(at, 3, std::to_string(layer));
  return s;
}

MatrixRef token_matrix(const Tensor& t, const std::string& where) {
  require_unit_leading_dims(t, 2, where);
  return {t.ptr(), dim_from_end(t, 2), dim_from_end(t, 1)};
}

PatternRef pattern_tensor(const Tensor& t, const std::string& where) {
  require_unit_leading_dims(t, 3, where);
  PatternRef p{t.ptr(), dim_from_end(t, 3), dim_from_end(t, 2), dim_from_end(t, 1)};
  OSC_CHECK_INPUT(p.queries == p.keys, where, "attention pattern must be square, got " + shape_to_string(t.shape));
  return p;
}

HeadsRef heads_tensor(const Tensor& t, const std::string& where) {
  require_unit_leading_dims(t, 3, where);
  return {t.ptr(), dim_from_end(t, 3), dim_from_end(t, 2), dim_from_end(t, 1)};
}

const Tensor* find_hook(const Capture& capture, const std::string& name) {
  auto it = capture.hooks.find(name);
  return it == capture.hooks.end() ? nullptr : &it->second;
}

const Tensor& require_hook(const Capture& capture, const std::string& name) {
  const Tensor* t = find_hook(capture, name);
  if (!t) throw_bad_input(name, "hook was not captured");
  return *t;
}

int64_t count_layers(const Capture& capture, const std::string& pattern) {
  int64_t n = 0;
  while (find_hook(capture, hook_name(pattern, n))) ++n;
  return n;
}

}  // namespace osc::analysis
