// The inference engine's view of a model in training: the trained GptModel as the Model its HF
// export would load as (same binding, same forward, same hook points), without writing files. So
// the variant comparison measures trained models through the pipeline that measures every model.
#pragma once
#include "model/model.h"
#include "train/gpt_model.h"

namespace osc::experiment {

// The returned Model reads `trained`'s parameters in place: `trained` must outlive it and keep
// its values unchanged while it is used.
Model engine_model(const train::GptModel& trained);

}  // namespace osc::experiment
