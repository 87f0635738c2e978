#include "train/rank_agreement.h"

#include <span>
#include <string>

#include "core/error.h"
#include "dist/communicator.h"

namespace osc::train {
namespace {

// FNV-1a over bytes: a fingerprint, not a defence against adversaries.
uint64_t fingerprint(const void* data, size_t bytes, uint64_t h = 0xcbf29ce484222325ULL) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

}  // namespace

void check_ranks_agree(const TrainOptions& o, int64_t step, const std::array<uint64_t, 4>& rng,
                       const ParamStore& params) {
  if (dist::size() == 1) return;
  const std::string options = train_options_to_json(o).dump();
  const std::array<uint64_t, 3> mine = {fingerprint(options.data(), options.size()),
                                        fingerprint(rng.data(), sizeof rng, fingerprint(&step, sizeof step)),
                                        fingerprint(params.values.data(), params.values.size() * sizeof(float))};
  std::array<uint64_t, 3> root = mine;
  dist::broadcast(std::as_writable_bytes(std::span(root)));
  const char* what[] = {"training options", "step and data order", "weights"};
  for (size_t i = 0; i < mine.size(); ++i)
    OSC_CHECK_INPUT(mine[i] == root[i], "ranks",
                    "rank " + std::to_string(dist::rank()) + "'s " + what[i] +
                        " differ from rank 0's; start every rank with the same command line and run folder");
}

}  // namespace osc::train
