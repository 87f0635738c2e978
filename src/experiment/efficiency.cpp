#include "experiment/efficiency.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "experiment/compress.h"
#include "experiment/eval_forward.h"

namespace osc::experiment {
namespace {

void quantize_tokens_int8(float* data, int64_t rows, int64_t width) {
  fake_quant_int8_per_row(std::span<float>(data, static_cast<size_t>(rows * width)), width);
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<Compression>& all_compressions() {
  static const std::vector<Compression> all = {Compression::Original, Compression::W8PerTensor,
                                               Compression::W8PerChannel, Compression::W8A8, Compression::Sparse50};
  return all;
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::Original: return "ppl_original";
    case Compression::W8PerTensor: return "ppl_w8_per_tensor";
    case Compression::W8PerChannel: return "ppl_w8_per_channel";
    case Compression::W8A8: return "ppl_w8a8";
    case Compression::Sparse50: return "ppl_sparse50";
  }
  return "";
}

std::string_view compression_label(Compression c) {
  switch (c) {
    case Compression::Original: return "original";
    case Compression::W8PerTensor: return "W8 per-tensor";
    case Compression::W8PerChannel: return "W8 per-channel";
    case Compression::W8A8: return "W8A8";
    case Compression::Sparse50: return "50% sparse";
  }
  return "";
}

bool is_block_linear_weight(const std::string& name) {
  if (name.rfind("h.", 0) != 0) return false;
  return ends_with(name, ".attn.c_attn.weight") || ends_with(name, ".attn.c_proj.weight") ||
         ends_with(name, ".mlp.c_fc.weight") || ends_with(name, ".mlp.c_proj.weight");
}

void compress_weights(train::ParamStore& params, Compression c) {
  if (c == Compression::Original) return;
  for (const auto& e : params.entries()) {
    if (!is_block_linear_weight(e.spec.name)) continue;
    std::span<float> w(params.values.data() + e.offset, static_cast<size_t>(e.numel));  // [out, in]
    switch (c) {
      case Compression::W8PerTensor: fake_quant_int8_per_tensor(w); break;
      case Compression::W8PerChannel:
      case Compression::W8A8: fake_quant_int8_per_row(w, e.spec.shape.back()); break;
      case Compression::Sparse50: prune_by_magnitude(w, 0.5); break;
      case Compression::Original: break;
    }
  }
}

double perplexity(const train::GptModel& model, const TokenWindows& windows, Compression c, int64_t batch) {
  train::GptModel compressed(model.config(), 1);
  compressed.params().values = model.params().values;
  compress_weights(compressed.params(), c);
  const LinearInputTransform transform = c == Compression::W8A8 ? LinearInputTransform(quantize_tokens_int8) : nullptr;
  double loss_sum = 0.0;
  for (int64_t first = 0; first < windows.count; first += batch) {
    const int64_t n = std::min(batch, windows.count - first);
    const double loss = evaluate_loss(compressed, windows.tokens_of(first), windows.targets_of(first), n, windows.seq,
                                      transform);
    loss_sum += loss * static_cast<double>(n);
  }
  return std::exp(loss_sum / static_cast<double>(windows.count));
}

}  // namespace osc::experiment
