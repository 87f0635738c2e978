// One rank's share of a checkpoint in a layer-pipelined job (pipeline/layer_pipeline.h): the
// split of L layers over N ranks, which weights a stage binds, and that the check for tensors the
// config does not account for still holds on every stage. (The pipelined pass itself is checked
// against the single-process pass by tests/mpi/pipeline_mpi_test.py.)
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/model.h"
#include "pipeline/layer_pipeline.h"
#include "support/shared_data.h"

namespace osc::pipeline {
namespace {

TEST(PipelineStage, SplitsTheLayersIntoContiguousRanges) {
  // [L r / N, L (r+1) / N), worked out by hand.
  EXPECT_EQ(stage_layers(5, 0, 2).first, 0);
  EXPECT_EQ(stage_layers(5, 0, 2).end, 2);
  EXPECT_EQ(stage_layers(5, 1, 2).first, 2);
  EXPECT_EQ(stage_layers(5, 1, 2).end, 5);
  EXPECT_EQ(stage_layers(5, 1, 3).first, 1);
  EXPECT_EQ(stage_layers(5, 1, 3).end, 3);
  EXPECT_EQ(stage_layers(80, 7, 8).first, 70);
  EXPECT_EQ(stage_layers(80, 7, 8).end, 80);
  EXPECT_EQ(stage_layers(3, 2, 3).first, 2);
  try {
    stage_layers(3, 0, 4);
    FAIL() << "4 ranks for 3 layers";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("4 ranks cannot share 3 layers"), std::string::npos) << e.what();
  }
}

TEST(PipelineStage, BindsTheGlobalsAndItsOwnLayersOnly) {
  const std::string path = test::shared_path("testdata/stories260K/stories260K.bin");
  OSC_REQUIRE_SHARED(path);
  const Model whole = Model::load(path);
  const Stage stage = load_stage(path, 1, 2);  // layers 2..4 of 5
  EXPECT_EQ(stage.layers.first, 2);
  EXPECT_EQ(stage.layers.end, 5);
  for (int64_t l = 0; l < 5; ++l) {
    const std::string q = "blocks." + std::to_string(l) + ".attn.q";
    EXPECT_EQ(stage.model.weights().find(q) != nullptr, l >= 2) << q;
  }
  // Its weights are the whole model's: the same mapped bytes (norms: the same f32 copies' values;
  // q / k: llama2.c's rows un-permuted the same way).
  for (const std::string& name : stage.model.weights().names()) {
    const TensorView& mine = stage.model.weight(name);
    const TensorView& full = whole.weight(name);
    ASSERT_EQ(mine.shape, full.shape) << name;
    EXPECT_EQ(mine.to_f32(), full.to_f32()) << name;
  }
  EXPECT_NE(stage.model.weights().find("embed"), nullptr);
  EXPECT_NE(stage.model.tokenizer(), nullptr);
  EXPECT_EQ(stage.model.config().n_layers, 5);
}

TEST(PipelineStage, EveryStageRefusesTensorsTheConfigDoesNotAccountFor) {
  const std::string dir = test::scratch_dir("pipeline_stage_extra_layer") + "/model";
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path() + " -q synth --arch llama --preset tiny --layers 3 --out " + dir, &out), 0)
      << out;
  nlohmann::json config = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
  config["num_hidden_layers"] = 2;  // the file holds 3 layers
  std::ofstream(dir + "/config.json") << config.dump(2);
  for (int rank = 0; rank < 2; ++rank) {
    try {
      load_stage(dir, rank, 2);
      FAIL() << "rank " << rank << " bound a file with a layer the config does not have";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("model.layers.2."), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace osc::pipeline
