#include "experiment/eval_forward.h"

#include <string>

#include "core/error.h"

namespace osc::experiment {

double evaluate_loss(const train::GptModel& model, const int32_t* tokens, const int32_t* targets, int64_t batch,
                     int64_t seq, const LinearInputTransform& transform) {
  OSC_CHECK_INPUT(batch > 0 && seq > 0 && seq <= model.config().context, "evaluation",
                  "batch " + std::to_string(batch) + " x seq " + std::to_string(seq) + " does not fit context " +
                      std::to_string(model.config().context));
  train::GptModel replica(model.config(), batch, &model);
  replica.set_linear_input_transform(transform);
  return replica.forward(tokens, targets, batch, seq, 0.0f);
}

}  // namespace osc::experiment
