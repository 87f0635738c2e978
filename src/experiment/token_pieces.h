// Display pieces of a prepared dataset's token ids, for the figures' token labels: bytes for the
// byte tokenizer, "<s>" for BOS, "<eot>", and "t<id>" for synthetic tasks (Bigram-Backcopy
// triggers are "trig<id>").
#pragma once
#include <string>
#include <vector>

#include "train/token_data.h"

namespace osc::experiment {

std::vector<std::string> token_pieces(const train::TokenDataMeta& meta);

}  // namespace osc::experiment
