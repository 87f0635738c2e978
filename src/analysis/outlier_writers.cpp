#include "analysis/outlier_writers.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "analysis/down_terms.h"

namespace osc::analysis {
namespace {

// The terms (down_terms.h) whose contribution to `value` is at least `min_share` of it, largest
// share first.
std::vector<WriterColumn> writers_of(const std::vector<DownTerm>& terms, float value, double min_share) {
  std::vector<WriterColumn> out;
  if (value == 0.0f) return out;
  for (const DownTerm& t : terms) {
    const double share = t.contribution / value;
    if (share >= min_share) out.push_back({t.column, t.contribution, share, t.expert, t.routing_weight});
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
    const Capture& capture = captures[static_cast<size_t>(o->input)];
    e.writers = writers_of(down_terms(capture, weights, o->layer, o->position, o->channel), o->value, writer_share);
    out.push_back(std::move(e));
  }
  return out;
}

nlohmann::json writers_json(const std::vector<EntryWriters>& entries, const std::vector<Capture>& captures) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < entries.size() && i < kMaxOutliersListed; ++i) {
    const EntryWriters& e = entries[i];
    nlohmann::json writers = nlohmann::json::array();
    for (const auto& w : e.writers) {
      nlohmann::json writer = {{"column", w.column}, {"contribution", w.contribution}, {"share", w.share}};
      if (w.expert >= 0) writer["expert"] = w.expert, writer["routing_weight"] = w.routing_weight;
      writers.push_back(writer);
    }
    list.push_back({{"layer", e.layer}, {"input", e.input}, {"position", e.position},
                    {"piece", piece_at(captures[static_cast<size_t>(e.input)].input, e.position)},
                    {"channel", e.channel}, {"value", e.value}, {"writers", writers}});
  }
  const size_t listed = list.size();
  return {{"entries", list}, {"n_entries", entries.size()}, {"entries_left_out", entries.size() - listed}};
}

}  // namespace osc::analysis
