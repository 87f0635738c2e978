#include "experiment/engine_model.h"

#include <memory>

#include "formats/named_tensors.h"
#include "model/arch/arch.h"
#include "model/arch/hf_config.h"
#include "model/bind_weights.h"
#include "train/export_hf.h"

namespace osc::experiment {

Model engine_model(const train::GptModel& trained) {
  const std::string where = "trained " + trained.config().variant + " model";
  auto exported = std::make_shared<const train::HfGpt2Export>(train::hf_gpt2_export(trained, -1, -1));
  NamedTensors source;
  for (auto [name, view] : exported->tensors) {
    view.owner = exported;  // keeps the transposed copies alive as long as the weights
    source.add(where, name, view);
  }
  ModelConfig config = config_from_hf(exported->config, where);
  validate_model_config(config, where);
  WeightStore weights = bind_weights(require_arch(config.architecture, where), source, config, where);
  return Model::from_weights(std::move(config), std::move(weights));
}

}  // namespace osc::experiment
