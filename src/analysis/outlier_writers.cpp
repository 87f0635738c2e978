#include "analysis/outlier_writers.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

namespace osc::analysis {
namespace {

// The columns of W_down[channel, :] whose contribution to `value` at one position is at least
// `min_share` of it. `post_row`: mlp_post[position, :] [d_ff].
std::vector<WriterColumn> writers_of(const TensorView& down, const float* post_row, int64_t channel, float value,
                                     double min_share) {
  std::vector<float> row(static_cast<size_t>(down.row_length()));
  down.row_to_f32(channel, row.data());
  std::vector<WriterColumn> out;
  if (value == 0.0f) return out;
  for (size_t j = 0; j < row.size(); ++j) {
    const double contribution = static_cast<double>(post_row[j]) * row[j];
    const double share = contribution / value;
    if (share >= min_share) out.push_back({static_cast<int64_t>(j), contribution, share});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.share > b.share; });
  return out;
}

// The first flagged layer of every (input, position, channel), as the outlier of that layer.
std::vector<const ActivationOutlier*> first_flagged(const SiteAnalysis& resid) {
  std::map<std::tuple<int64_t, int64_t, int64_t>, const ActivationOutlier*> first;
  for (const auto& o : resid.outliers) {
    auto& slot = first[{o.input, o.position, o.channel}];
    if (!slot || o.layer < slot->layer) slot = &o;
  }
  std::vector<const ActivationOutlier*> out;
  for (const auto& o : resid.outliers)  // largest |value| first
    if (first[{o.input, o.position, o.channel}] == &o) out.push_back(&o);
  return out;
}

}  // namespace

std::vector<EntryWriters> attribute_writers(const SiteAnalysis& resid, const std::vector<Capture>& captures,
                                            const LayerWeights& weights, double writer_share) {
  std::vector<EntryWriters> out;
  for (const ActivationOutlier* o : first_flagged(resid)) {
    EntryWriters e{o->layer, o->input, o->position, o->channel, o->value, {}};
    const std::string post_hook = hook_name(kMlpPost, o->layer);
    const Tensor* post = find_hook(captures[static_cast<size_t>(o->input)], post_hook);
    const TensorView* down = find_module(weights, o->layer, "down");
    if (post && down && down->rank() == 2 && o->channel < down->rows()) {
      const MatrixRef m = token_matrix(*post, post_hook);  // [tokens, d_ff]
      if (m.cols == down->row_length()) e.writers = writers_of(*down, m.row(o->position), o->channel, o->value, writer_share);
    }
    out.push_back(std::move(e));
  }
  return out;
}

nlohmann::json writers_json(const std::vector<EntryWriters>& entries, const std::vector<Capture>& captures) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < entries.size() && i < kMaxOutliersListed; ++i) {
    const EntryWriters& e = entries[i];
    nlohmann::json writers = nlohmann::json::array();
    for (const auto& w : e.writers)
      writers.push_back({{"column", w.column}, {"contribution", w.contribution}, {"share", w.share}});
    list.push_back({{"layer", e.layer}, {"input", e.input}, {"position", e.position},
                    {"piece", piece_at(captures[static_cast<size_t>(e.input)].input, e.position)},
                    {"channel", e.channel}, {"value", e.value}, {"writers", writers}});
  }
  const size_t listed = list.size();
  return {{"entries", list}, {"n_entries", entries.size()}, {"entries_left_out", entries.size() - listed}};
}

}  // namespace osc::analysis
